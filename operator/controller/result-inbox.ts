import { instanceFinished, type DagInstanceStatus } from '../api/dag-instance.ts';
import type { TaskResult } from '../api/objects.ts';
import { parseAttemptKey } from '../api/task-result.ts';
import { foldResults, type Folded } from '../core/fold-results.ts';
import { labelledWorkers } from '../core/worker-labels.ts';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { InformerEvent } from '../kube/informer.ts';
import { keyOf } from '../kube/types.ts';
import type { Logger } from '../log.ts';
import { deleteTaskResult } from '../store/task-results.ts';

/**
 * The workers' TaskResults, by the instance they belong to (kept from the
 * informer, so a pass never scans them all): folded into the instance's
 * status before it decides, and deleted once folded and their worker holds
 * no task of the instance any more. While it still does, the worker drops
 * the folded entries itself with its next write, so nothing is deleted per
 * task.
 */
export class ResultInbox {
  readonly #byInstance = new Map<string, Map<string, TaskResult>>();
  readonly #custom: CustomObjectsApi;
  readonly #log: Logger;

  constructor(custom: CustomObjectsApi, log: Logger) {
    this.#custom = custom;
    this.#log = log;
  }

  /** Keeps the index in step with the informer; returns the instance the result belongs to. */
  observe(ev: InformerEvent<TaskResult>): string {
    const instance = keyOf({ namespace: ev.obj.metadata.namespace, name: ev.obj.spec.instance });
    const results = this.#byInstance.get(instance) ?? new Map<string, TaskResult>();
    if (ev.type === 'delete') results.delete(ev.key);
    else results.set(ev.key, ev.obj);
    if (results.size > 0) this.#byInstance.set(instance, results);
    else this.#byInstance.delete(instance);
    return instance;
  }

  /** The status with every result of the instance folded in (stale ones left out). */
  fold(instance: string, status: DagInstanceStatus): DagInstanceStatus {
    const results = [...(this.#byInstance.get(instance)?.values() ?? [])];
    if (results.length === 0) return status;
    const folded = foldResults(
      status.tasks ?? {},
      results.map((r) => r.spec),
    );
    this.#logStale(instance, folded.outcomes);
    return { ...status, tasks: folded.tasks };
  }

  #forgetResult(instance: string, r: TaskResult): void {
    const results = this.#byInstance.get(instance);
    const key = keyOf({ namespace: r.metadata.namespace, name: r.metadata.name });
    if (results?.get(key) !== r) return;
    results.delete(key);
    if (results.size === 0) this.#byInstance.delete(instance);
  }

  #logStale(instance: string, outcomes: Folded['outcomes']): void {
    for (const o of outcomes) {
      if (o.outcome === 'stale') this.#log.info({ instance, ...o }, 'stale result discarded');
    }
  }

  /**
   * After the status that folded them is written: deletes the results of
   * workers that hold no Scheduled or Running task of the instance (all of
   * them once it has finished, or when it is gone), each only if unchanged
   * since it was folded. A status decided from the cache and not written
   * (`written: false`: nothing changed) may lag behind the results, whose
   * events come on another watch: a worker that holds nothing there may hold
   * the very attempt its result reports, refused as stale for now. Deleting
   * that result would leave the attempt on its worker for good, so a result
   * reporting an attempt that status does not show yet stays (a later
   * attempt's is stale for good, and goes).
   */
  async cleanup(
    instance: string,
    status: DagInstanceStatus | undefined,
    { written }: { written: boolean } = { written: true },
  ): Promise<void> {
    const results = this.#byInstance.get(instance);
    if (!results) return;
    const finished = status !== undefined && instanceFinished(status.phase);
    // Decided from the cache without a write: the status may lag behind the results.
    const lagging = written || finished ? undefined : status;
    // Workers holding a Scheduled or Running task: the set its labels follow (none once finished).
    const holding = labelledWorkers(status ?? {});
    for (const r of [...results.values()]) {
      if (holding.has(r.spec.worker) || aheadOf(lagging, r.spec.results)) continue;
      // A finished instance folds nothing more: say which late results go unread.
      if (finished) this.#logStale(instance, foldResults(status.tasks ?? {}, [r.spec]).outcomes);
      const ref = { namespace: r.metadata.namespace ?? '', name: r.metadata.name };
      const gone = await deleteTaskResult(this.#custom, ref, r.metadata.resourceVersion);
      if (!gone) this.#log.debug({ instance, result: ref.name }, 'result changed; folding again');
      // Gone: a pass before the informer says so must not delete it again (a worker's
      // write after this creates it anew, which the informer adds back).
      else this.#forgetResult(instance, r);
    }
  }
}

/** Whether some result reports an attempt `status` does not show yet (its task absent, or earlier). */
function aheadOf(
  status: DagInstanceStatus | undefined,
  results: TaskResult['spec']['results'],
): boolean {
  if (status === undefined) return false;
  return Object.keys(results).some((key) => {
    const id = parseAttemptKey(key);
    return id !== undefined && (status.tasks?.[id.task]?.attempt ?? 0) < id.attempt;
  });
}
