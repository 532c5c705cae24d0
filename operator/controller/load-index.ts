import { ACTIVE_TASK_PHASES, type DagInstanceStatus } from '../api/dag-instance.ts';

/** Of one worker in one instance: tasks it holds, and those of them that take a slot. */
interface Held {
  held: number;
  slots: number;
}

/**
 * How many tasks each worker holds (Scheduled or Running) across all
 * instances, and which instances those are, kept up to date from the
 * instance informer so the scheduler never scans every instance and a lost
 * worker's instances are found at once.
 */
export class LoadIndex {
  readonly #byInstance = new Map<string, Map<string, Held>>();
  readonly #load = new Map<string, number>();
  readonly #slots = new Map<string, number>();
  readonly #instances = new Map<string, Set<string>>();

  update(key: string, status: DagInstanceStatus | undefined): void {
    const next = new Map<string, Held>();
    for (const t of Object.values(status?.tasks ?? {})) {
      if (!t.worker || !ACTIVE_TASK_PHASES.has(t.phase)) continue;
      const h = next.get(t.worker) ?? { held: 0, slots: 0 };
      h.held += 1;
      // A step pre-assigned behind its parent waits on the worker without a slot.
      if (t.after === undefined) h.slots += 1;
      next.set(t.worker, h);
    }
    const prev = this.#byInstance.get(key) ?? new Map<string, Held>();
    for (const [worker, h] of prev)
      this.#add(worker, key, { held: -h.held, slots: -h.slots }, false);
    for (const [worker, h] of next) this.#add(worker, key, h, true);
    if (next.size > 0) this.#byInstance.set(key, next);
    else this.#byInstance.delete(key);
  }

  /** Tasks the worker holds, waiting steps included: it is busy until they end. */
  load(worker: string): number {
    return this.#load.get(worker) ?? 0;
  }

  /** Tasks that take one of the worker's slots: what placement weighs against its capacity. */
  slotsTaken(worker: string): number {
    return this.#slots.get(worker) ?? 0;
  }

  /** The instances in which some worker holds a task. */
  busyInstances(): string[] {
    return [...this.#byInstance.keys()];
  }

  instancesOf(worker: string): string[] {
    return [...(this.#instances.get(worker) ?? [])];
  }

  #add(worker: string, key: string, n: Held, holds: boolean): void {
    for (const [counts, by] of [
      [this.#load, n.held],
      [this.#slots, n.slots],
    ] as const) {
      const total = (counts.get(worker) ?? 0) + by;
      if (total > 0) counts.set(worker, total);
      else counts.delete(worker);
    }
    const set = this.#instances.get(worker) ?? new Set<string>();
    if (holds) set.add(key);
    else set.delete(key);
    if (set.size > 0) this.#instances.set(worker, set);
    else this.#instances.delete(worker);
  }
}
