import type { DagInstance } from '../api/objects.ts';
import { traceGcMark, tracesToDelete, type TraceLimits } from '../core/trace-gc.ts';
import type { ReconcileResult } from '../kube/controller.ts';
import { refOf } from '../kube/types.ts';
import type { Logger } from '../log.ts';
import type { TraceStore } from '../store/traces.ts';

export interface TraceGcDeps {
  traces: TraceStore;
  /** The informer's copy. */
  instance: (key: string) => DagInstance | undefined;
  limits: TraceLimits;
  /** Told how many traces were deleted (metrics). */
  onDeleted?: (count: number) => void;
  log: Logger;
}

/**
 * Keeps each instance's attempt traces within bounds: the traces of the last
 * `attemptsPerTask` attempts of each task and at most `perInstance` in all
 * (core/trace-gc.ts). The traces are listed only when the instance's status
 * says it may have gained one beyond them (its mark grew since the last
 * collection), so an instance within bounds costs no request.
 */
export class TraceGc {
  readonly #d: TraceGcDeps;
  /** The mark each instance was last collected at. */
  readonly #collected = new Map<string, number>();

  constructor(deps: TraceGcDeps) {
    this.#d = deps;
  }

  /** Whether an informer event calls for a collection of the instance's traces. */
  observe(key: string, instance: DagInstance | undefined): boolean {
    if (!instance) {
      this.#collected.delete(key);
      return false;
    }
    return this.#due(key, instance) !== undefined;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const instance = this.#d.instance(key);
    const mark = instance && this.#due(key, instance);
    if (!instance || mark === undefined) return {};
    const ref = refOf(key);
    const status = instance.status ?? {};
    const doomed = tracesToDelete(await this.#d.traces.objects(ref), status, this.#d.limits);
    for (const name of doomed) {
      // A process that lost its leadership must not delete anything.
      if (signal.aborted) throw new Error('leadership lost: deletion skipped');
      await this.#d.traces.delete(ref.namespace, name);
    }
    if (doomed.length > 0) {
      this.#d.onDeleted?.(doomed.length);
      this.#d.log.info({ instance: key, deleted: doomed.length }, 'traces deleted');
    }
    this.#collected.set(key, mark);
    return {};
  }

  /** The instance's mark when it differs from the one last collected at (and is not 0). */
  #due(key: string, instance: DagInstance): number | undefined {
    const mark = traceGcMark(instance.status ?? {}, this.#d.limits);
    return mark > 0 && mark !== this.#collected.get(key) ? mark : undefined;
  }
}
