import type { DagInstanceStatus } from '../api/dag-instance.ts';
import { actionUse, type ActionSlot, type ActionUse } from '../core/action-slots.ts';
import type { DagGraph } from '../core/graph.ts';

/**
 * The cluster-wide concurrency limits of actions (`--action-concurrency`):
 * how many tasks of each limited action every instance holds (Scheduled or
 * Running), and which instances wait for a slot, first come first served.
 * Fed by the instance reconciler, which alone knows a task's action (from
 * the Dag snapshot): it asks for the slots a pass may use, and records what
 * the pass decided before anything is awaited, so two passes side by side
 * never both take the last slot. A freed slot wakes the first instances in
 * line at once: a limited task starts as soon as another ends.
 *
 * After a leader starts, what the instances already running hold is unknown
 * until each has been reconciled once (they all are, at once): until then
 * no slot is given, so a failover never runs an action beyond its limit.
 */
export class ActionLimiter {
  readonly #limits: ReadonlyMap<string, number>;
  readonly #limited: ReadonlySet<string>;
  readonly #wake: (key: string) => void;
  readonly #held = new Map<string, Map<string, number>>();
  readonly #total = new Map<string, number>();
  /** Per action, the instances waiting for a slot, in the order they began to wait. */
  readonly #queue = new Map<string, Set<string>>();
  #unseen = new Set<string>();

  constructor(limits: Readonly<Record<string, number>>, wake: (key: string) => void) {
    this.#limits = new Map(Object.entries(limits));
    this.#limited = new Set(this.#limits.keys());
    this.#wake = wake;
  }

  /** The instances that may hold limited tasks and have not been reconciled since the start. */
  expect(keys: Iterable<string>): void {
    if (this.#limits.size > 0) this.#unseen = new Set(keys);
  }

  /** What one pass of the instance may place of each limited action (undefined: no limits). */
  slotsFor(
    key: string,
    graph: DagGraph,
    status: DagInstanceStatus,
  ): Map<string, ActionSlot> | undefined {
    if (this.#limits.size === 0) return undefined;
    const mine = actionUse(graph, status.tasks ?? {}, this.#limited).held;
    const own = this.#held.get(key);
    const slots = new Map<string, ActionSlot>();
    for (const [action, limit] of this.#limits) {
      const others = (this.#total.get(action) ?? 0) - (own?.get(action) ?? 0);
      const ahead = this.#ahead(action, key);
      const free = this.#unseen.size > 0 ? 0 : limit - others - (mine.get(action) ?? 0) - ahead;
      slots.set(action, { limit, free: Math.max(0, free) });
    }
    return slots;
  }

  /** What the instance holds and waits for after the pass just decided; wakes whom a freed slot lets run. */
  record(key: string, graph: DagGraph, status: DagInstanceStatus): void {
    if (this.#limits.size === 0) return;
    this.#set(key, actionUse(graph, status.tasks ?? {}, this.#limited));
  }

  /** The instance is finished or gone: it holds nothing and waits for nothing. */
  forget(key: string): void {
    if (this.#limits.size === 0) return;
    this.#set(key, { held: new Map(), waiting: new Set() });
  }

  #set(key: string, use: ActionUse): void {
    const before = this.#held.get(key) ?? new Map<string, number>();
    const changed = new Set<string>();
    for (const action of this.#limited) {
      const delta = (use.held.get(action) ?? 0) - (before.get(action) ?? 0);
      this.#total.set(action, (this.#total.get(action) ?? 0) + delta);
      if (delta < 0) changed.add(action);
      const queue = this.#queue.get(action) ?? new Set<string>();
      if (use.waiting.has(action)) queue.add(key);
      else if (queue.delete(key)) changed.add(action);
      this.#queue.set(action, queue);
    }
    if (use.held.size > 0) this.#held.set(key, use.held);
    else this.#held.delete(key);
    const wasUnseen = this.#unseen.delete(key);
    if (wasUnseen && this.#unseen.size === 0) for (const a of this.#limited) changed.add(a);
    for (const action of changed) this.#wakeFirst(action, key);
  }

  /** The first instances in line for the action, as many as there are free slots. */
  #wakeFirst(action: string, except: string): void {
    const free = (this.#limits.get(action) ?? 0) - (this.#total.get(action) ?? 0);
    let n = 0;
    for (const key of this.#queue.get(action) ?? []) {
      if (n >= free) return;
      n++;
      if (key !== except) this.#wake(key);
    }
  }

  /** How many instances wait for the action ahead of `key` (all of them if it does not wait). */
  #ahead(action: string, key: string): number {
    let n = 0;
    for (const k of this.#queue.get(action) ?? []) {
      if (k === key) return n;
      n++;
    }
    return n;
  }
}
