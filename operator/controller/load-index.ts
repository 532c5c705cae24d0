import { ACTIVE_TASK_PHASES, type DagInstanceStatus } from '../api/dag-instance.ts';
import type { Assignment } from '../core/decide-types.ts';

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
  /** Per instance, what its last pass assigned that the informer has not shown yet. */
  readonly #reserved = new Map<string, Assignment[]>();
  readonly #reservedSlots = new Map<string, number>();

  /**
   * Counts a pass's assignments (those `decided` shows taking a slot) at once, before its
   * write comes back through the informer: passes of other instances side by
   * side then see the room this one took, and do not pack onto it too.
   * Replaces what the instance's previous pass reserved.
   */
  reserve(key: string, decided: DagInstanceStatus, assigned: readonly Assignment[]): void {
    const tasks = decided.tasks ?? {};
    const taking = assigned.filter((a) => {
      const t = tasks[a.task];
      // A step pre-assigned behind its parent waits without a slot; one held back is not assigned.
      return t?.worker === a.worker && t.attempt === a.attempt && t.after === undefined;
    });
    this.#setReserved(key, taking);
  }

  update(key: string, status: DagInstanceStatus | undefined): void {
    // What the status now shows (this attempt or a later one) counts from the status itself.
    const tasks = status?.tasks ?? {};
    const left = (this.#reserved.get(key) ?? []).filter(
      (r) => status !== undefined && (tasks[r.task]?.attempt ?? 0) < r.attempt,
    );
    this.#setReserved(key, left);
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

  /** Tasks that take one of the worker's slots, reserved ones included: what placement weighs. */
  slotsTaken(worker: string): number {
    return (this.#slots.get(worker) ?? 0) + (this.#reservedSlots.get(worker) ?? 0);
  }

  /** The instances in which some worker holds a task. */
  busyInstances(): string[] {
    return [...this.#byInstance.keys()];
  }

  instancesOf(worker: string): string[] {
    return [...(this.#instances.get(worker) ?? [])];
  }

  #add(worker: string, key: string, n: Held, holds: boolean): void {
    bump(this.#load, worker, n.held);
    bump(this.#slots, worker, n.slots);
    const set = this.#instances.get(worker) ?? new Set<string>();
    if (holds) set.add(key);
    else set.delete(key);
    if (set.size > 0) this.#instances.set(worker, set);
    else this.#instances.delete(worker);
  }

  #setReserved(key: string, assigned: readonly Assignment[]): void {
    for (const r of this.#reserved.get(key) ?? []) bump(this.#reservedSlots, r.worker, -1);
    for (const r of assigned) bump(this.#reservedSlots, r.worker, 1);
    if (assigned.length > 0) this.#reserved.set(key, [...assigned]);
    else this.#reserved.delete(key);
  }
}

function bump(counts: Map<string, number>, worker: string, by: number): void {
  const total = (counts.get(worker) ?? 0) + by;
  if (total > 0) counts.set(worker, total);
  else counts.delete(worker);
}
