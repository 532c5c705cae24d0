import { ACTIVE_TASK_PHASES, type DagInstanceStatus } from '../api/dag-instance.ts';

/**
 * How many tasks each worker holds (Scheduled or Running) across all
 * instances, and which instances those are, kept up to date from the
 * instance informer so the scheduler never scans every instance and a lost
 * worker's instances are found at once.
 */
export class LoadIndex {
  readonly #byInstance = new Map<string, Map<string, number>>();
  readonly #load = new Map<string, number>();
  readonly #instances = new Map<string, Set<string>>();

  update(key: string, status: DagInstanceStatus | undefined): void {
    const next = new Map<string, number>();
    for (const t of Object.values(status?.tasks ?? {})) {
      if (t.worker && ACTIVE_TASK_PHASES.has(t.phase)) {
        next.set(t.worker, (next.get(t.worker) ?? 0) + 1);
      }
    }
    const prev = this.#byInstance.get(key) ?? new Map<string, number>();
    for (const [worker, n] of prev) this.#add(worker, key, -n, false);
    for (const [worker, n] of next) this.#add(worker, key, n, true);
    if (next.size > 0) this.#byInstance.set(key, next);
    else this.#byInstance.delete(key);
  }

  load(worker: string): number {
    return this.#load.get(worker) ?? 0;
  }

  /** The instances in which some worker holds a task. */
  busyInstances(): string[] {
    return [...this.#byInstance.keys()];
  }

  instancesOf(worker: string): string[] {
    return [...(this.#instances.get(worker) ?? [])];
  }

  #add(worker: string, key: string, n: number, holds: boolean): void {
    const total = (this.#load.get(worker) ?? 0) + n;
    if (total > 0) this.#load.set(worker, total);
    else this.#load.delete(worker);
    const set = this.#instances.get(worker) ?? new Set<string>();
    if (holds) set.add(key);
    else set.delete(key);
    if (set.size > 0) this.#instances.set(worker, set);
    else this.#instances.delete(worker);
  }
}
