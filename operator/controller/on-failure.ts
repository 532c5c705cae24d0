import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import { onFailureRun } from '../core/on-failure.ts';
import { givenVars, resolveVars } from '../core/vars.ts';
import type { Logger } from '../log.ts';
import {
  CHILD_LABELS,
  createChildInstance,
  onFailureInstanceName,
} from '../store/child-instances.ts';
import { subjectMetadata } from '../store/labels.ts';
import {
  RevisionMissingError,
  type LoadedSnapshot,
  type RevisionStore,
} from '../store/revisions.ts';
import { writeInstanceStatus } from '../store/status-writes.ts';

export interface OnFailureDeps {
  custom: CustomObjectsApi;
  revisions: RevisionStore;
  log: Logger;
}

/**
 * Starts a failed instance's `spec.onFailure` Dag (the decision is
 * core/on-failure.ts): once, named after the failed instance
 * (`<name>-on-failure`, so a crash between the create and the record finds
 * it), not owned by it (it outlives the failed instance's collection), and
 * records its name in `status.onFailureInstance`, which the Event follows.
 * Called by every pass of a Failed instance until the record is written.
 */
export class OnFailureRuns {
  readonly #d: OnFailureDeps;

  constructor(deps: OnFailureDeps) {
    this.#d = deps;
  }

  async ensure(
    instance: DagInstance,
    status: DagInstanceStatus,
    loaded?: LoadedSnapshot,
  ): Promise<void> {
    if (status.phase !== 'Failed' || status.onFailureInstance || !status.dagRevision) return;
    const namespace = instance.metadata.namespace ?? '';
    const snapshot = loaded ?? (await this.#snapshot(namespace, status.dagRevision));
    if (snapshot === undefined) return;
    const spec = snapshot.snapshot.spec;
    const vars = resolveVars(spec.vars, givenVars(instance.spec, status));
    const run = onFailureRun(spec, {
      name: instance.metadata.name,
      status,
      vars: vars.ok ? vars.vars : {},
      isOnFailureRun: instance.metadata.labels?.[CHILD_LABELS.failedInstance] !== undefined,
    });
    if (run === undefined) return;
    const name = onFailureInstanceName(instance.metadata.name);
    const created = await createChildInstance(this.#d.custom, namespace, {
      name,
      dagName: run.dagName,
      vars: run.vars,
      ...subjectMetadata({ [CHILD_LABELS.failedInstance]: instance.metadata.name }),
    });
    if (created) {
      this.#d.log.info({ instance: instance.metadata.name, onFailure: name }, 'onFailure started');
    }
    await writeInstanceStatus(this.#d.custom, instance, { ...status, onFailureInstance: name });
  }

  /** The snapshot of a finished instance; gone, nothing can be started from it. */
  async #snapshot(namespace: string, revision: string): Promise<LoadedSnapshot | undefined> {
    try {
      return await this.#d.revisions.load(namespace, revision);
    } catch (e) {
      if (e instanceof RevisionMissingError) return undefined;
      throw e;
    }
  }
}
