import { instanceFinished, type DagInstanceStatus } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import {
  failedToRun,
  started,
  waitingToStart,
  whyNotStarted,
  withOperationsRefused,
  type CannotRun,
} from '../core/instance-start.ts';
import type { OperationRequest } from '../core/operations.ts';
import {
  RevisionInvalidError,
  RevisionMissingError,
  type LoadedSnapshot,
  type RevisionStore,
} from '../store/revisions.ts';
import type { InstanceStarter } from './instance-starter.ts';

/** What finding an instance's run reads: its Dag (to start it) and its snapshot (once started). */
export interface RunDeps {
  starter: InstanceStarter;
  revisions: RevisionStore;
}

/**
 * The snapshot the instance runs and the status to decide from: taken now
 * for a new instance (the Dag must exist, be valid and take these vars),
 * read back for a running one. Otherwise the Failed status that says why,
 * with the operations asked for refused: an instance that failed to start
 * is never started by an operation, and one that has finished keeps how it
 * ended when its snapshot is gone.
 */
export async function runOf(
  deps: RunDeps,
  instance: DagInstance,
  operations: OperationRequest[],
  now: Date,
): Promise<
  | { loaded: LoadedSnapshot; status: DagInstanceStatus }
  | { failed: DagInstanceStatus }
  | { waiting: DagInstanceStatus }
> {
  const status = instance.status ?? {};
  const generation = instance.metadata.generation;
  const finished = instanceFinished(status.phase);
  const fail = (why: CannotRun) => ({
    failed: finished
      ? { ...status, ...withOperationsRefused(status, why, operations, now) }
      : failedToRun(status, why, generation, now, operations),
  });
  if (!status.dagRevision) {
    if (finished) return fail(whyNotStarted(status));
    const canceling = operations.some((op) => op.name === 'cancel' && !op.refused);
    const start = await deps.starter.start(instance, canceling);
    if (start.ok)
      return { loaded: start.loaded, status: started(status, start.loaded.revision, now) };
    const why = { reason: start.reason, message: start.message };
    return start.waiting ? { waiting: waitingToStart(status, why, generation, now) } : fail(why);
  }
  try {
    const namespace = instance.metadata.namespace ?? '';
    return { loaded: await deps.revisions.load(namespace, status.dagRevision), status };
  } catch (e) {
    if (!(e instanceof RevisionMissingError || e instanceof RevisionInvalidError)) throw e;
    const reason = e instanceof RevisionMissingError ? 'DagRevisionMissing' : 'DagRevisionInvalid';
    return fail({ reason, message: e.message });
  }
}
