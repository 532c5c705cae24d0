import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import { END_RUN_FIELD, endRuns } from '../core/end-runs.ts';
import { givenVars, resolveVars } from '../core/vars.ts';
import type { Logger } from '../log.ts';
import { CHILD_LABELS, createChildInstance, endRunInstanceName } from '../store/child-instances.ts';
import { subjectMetadata } from '../store/labels.ts';
import {
  RevisionMissingError,
  type LoadedSnapshot,
  type RevisionStore,
} from '../store/revisions.ts';
import { writeInstanceStatus } from '../store/status-writes.ts';

export interface EndRunsDeps {
  custom: CustomObjectsApi;
  revisions: RevisionStore;
  log: Logger;
}

const LABEL = { onFailure: CHILD_LABELS.failedInstance, onExit: CHILD_LABELS.exitedInstance };

/**
 * Starts an ended instance's `spec.onFailure` and `spec.onExit` Dags (the
 * decision is core/end-runs.ts): each once, named after the instance
 * (`<name>-on-failure`, `<name>-on-exit`, so a crash between the create and
 * the record finds it), not owned by it (it outlives the instance's
 * collection), and records their names in `status.onFailureInstance` and
 * `status.onExitInstance`, which the Events follow. Called by every pass of
 * a finished instance until the records are written.
 *
 * The records take a status write of their own, after the write that
 * finished the instance: folding them into that write would create the runs
 * before the end is stored, and a write refused (a conflict) or held leaves
 * a next pass free to decide otherwise (a retry reopens the instance), with
 * a handler already started for an end that never happened.
 */
export class EndRuns {
  readonly #d: EndRunsDeps;

  constructor(deps: EndRunsDeps) {
    this.#d = deps;
  }

  async ensure(
    instance: DagInstance,
    status: DagInstanceStatus,
    loaded?: LoadedSnapshot,
  ): Promise<void> {
    if (!status.dagRevision || (status.onFailureInstance && status.onExitInstance)) return;
    const namespace = instance.metadata.namespace ?? '';
    const snapshot = loaded ?? (await this.#snapshot(namespace, status.dagRevision));
    if (snapshot === undefined) return;
    const spec = snapshot.snapshot.spec;
    const vars = resolveVars(spec.vars, givenVars(instance.spec, status));
    const labels = instance.metadata.labels ?? {};
    const runs = endRuns(spec, {
      name: instance.metadata.name,
      status,
      vars: vars.ok ? vars.vars : {},
      isEndRun: Object.values(LABEL).some((label) => labels[label] !== undefined),
    });
    if (runs.length === 0) return;
    const recorded: DagInstanceStatus = { ...status };
    for (const run of runs) {
      const name = endRunInstanceName(instance.metadata.name, run.kind);
      const created = await createChildInstance(this.#d.custom, namespace, {
        name,
        dagName: run.dagName,
        vars: run.vars,
        ...subjectMetadata({ [LABEL[run.kind]]: instance.metadata.name }),
      });
      if (created)
        this.#d.log.info({ instance: instance.metadata.name, [run.kind]: name }, 'started');
      recorded[END_RUN_FIELD[run.kind]] = name;
    }
    await writeInstanceStatus(this.#d.custom, instance, recorded);
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
