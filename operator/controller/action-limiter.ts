import type { DagInstanceStatus } from '../api/dag-instance.ts';
import {
  actionLimitNote,
  actionRateNote,
  actionUse,
  type ActionRate,
  type ActionSlot,
  type ActionUse,
} from '../core/action-slots.ts';
import { specOf } from '../core/grown-graph.ts';
import type { DagGraph } from '../core/graph.ts';

/**
 * The cluster-wide concurrency and rate limits of actions (`--action-concurrency`,
 * `--action-rate`):
 * how many tasks of each limited action every instance holds (Scheduled or
 * Running), and which instances wait for a slot, first come first served.
 * Fed by the instance reconciler, which alone knows a task's action (from
 * the Dag snapshot): it asks for the slots a pass may use, and records what
 * the pass decided. The slots handed to a pass are reserved for it until it
 * records (or releases them, having failed): the pass awaits between the
 * two, and two passes side by side must never both take the last slot. A
 * freed slot, or one reserved and not used, wakes the first instances in
 * line at once: a limited task starts as soon as another ends.
 *
 * After a leader starts, what the instances already running hold is unknown
 * until each has been reconciled once (they all are, at once): until then
 * no slot is given, so a failover never runs an action beyond its limit.
 */
export class ActionLimiter {
  readonly #limits: ReadonlyMap<string, number>;
  readonly #rates: ReadonlyMap<string, ActionRate>;
  readonly #limited: ReadonlySet<string>;
  readonly #wake: (key: string) => void;
  /** Per rate-limited action, when its tasks were placed (operator clock, ms), oldest first. */
  readonly #starts = new Map<string, number[]>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #held = new Map<string, Map<string, number>>();
  readonly #total = new Map<string, number>();
  /** Per instance whose pass is under way, the slots handed to it, by action. */
  readonly #reserved = new Map<string, Map<string, number>>();
  /** Per action, the sum of `#reserved`. */
  readonly #reservedTotal = new Map<string, number>();
  /** Per action, the instances waiting for a slot, in the order they began to wait. */
  readonly #queue = new Map<string, Set<string>>();
  #unseen = new Set<string>();

  constructor(
    limits: Readonly<Record<string, number>>,
    wake: (key: string) => void,
    rates: Readonly<Record<string, ActionRate>> = {},
  ) {
    this.#limits = new Map(Object.entries(limits));
    this.#rates = new Map(Object.entries(rates));
    this.#limited = new Set([...this.#limits.keys(), ...this.#rates.keys()]);
    this.#wake = wake;
  }

  /** The instances that may hold limited tasks and have not been reconciled since the start. */
  expect(keys: Iterable<string>): void {
    if (this.#limited.size > 0) this.#unseen = new Set(keys);
  }

  /**
   * What one pass of the instance may place of each limited action
   * (undefined: no limits), reserved for it until it records or releases.
   */
  slotsFor(
    key: string,
    graph: DagGraph,
    status: DagInstanceStatus,
    now: Date,
  ): Map<string, ActionSlot> | undefined {
    if (this.#limited.size === 0) return undefined;
    const mine = actionUse(graph, status.tasks ?? {}, this.#limited).held;
    const own = this.#held.get(key);
    this.#unreserve(key); // a pass that died before recording: its slots are this one's again
    const slots = new Map<string, ActionSlot>();
    for (const action of this.#limited) {
      const limit = this.#limits.get(action) ?? Infinity;
      const others = (this.#total.get(action) ?? 0) - (own?.get(action) ?? 0);
      const byLimit = limit - others - (mine.get(action) ?? 0);
      const rate = this.#rates.get(action);
      const byRate = rate ? rate.starts - this.#recent(action, rate, now).length : Infinity;
      const taken = this.#ahead(action, key) + (this.#reservedTotal.get(action) ?? 0);
      const free = this.#unseen.size > 0 ? 0 : Math.max(0, Math.min(byLimit, byRate) - taken);
      const note =
        rate && byRate < byLimit ? actionRateNote(action, rate) : actionLimitNote(action, limit);
      slots.set(action, { free, note });
    }
    this.#reserve(key, slots);
    return slots;
  }

  /**
   * What the instance holds and waits for after the pass just decided, and
   * what it placed (counted against the rates); wakes whom a freed slot lets run.
   */
  record(
    key: string,
    graph: DagGraph,
    status: DagInstanceStatus,
    placed: readonly { task: string }[],
    now: Date,
  ): void {
    if (this.#limited.size === 0) return;
    for (const { task } of placed) {
      const action = specOf(graph, task)?.actionName ?? '';
      if (this.#rates.has(action)) this.#starts.set(action, [...this.#started(action), +now]);
    }
    this.#set(key, actionUse(graph, status.tasks ?? {}, this.#limited), this.#unreserve(key));
    for (const action of this.#rates.keys()) this.#wakeWhenRateAllows(action, now);
  }

  /** The pass failed before it recorded: the slots reserved for it go to whoever waits. */
  release(key: string): void {
    for (const action of this.#unreserve(key)) this.#wakeFirst(action, key);
  }

  /** The instance is finished or gone: it holds nothing and waits for nothing. */
  forget(key: string): void {
    if (this.#limited.size === 0) return;
    this.#set(key, { held: new Map(), waiting: new Set() }, this.#unreserve(key));
  }

  /** Stops the timers of rate-limited waiters (the operator is stopping). */
  stop(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #started(action: string): number[] {
    return this.#starts.get(action) ?? [];
  }

  /** The action's starts within its window before `now` (older ones are dropped). */
  #recent(action: string, rate: ActionRate, now: Date): number[] {
    const recent = this.#started(action).filter((t) => t > +now - rate.perSecs * 1000);
    this.#starts.set(action, recent);
    return recent;
  }

  /** While instances wait for a rate-limited action, wake the first when its oldest start leaves the window. */
  #wakeWhenRateAllows(action: string, now: Date): void {
    const rate = this.#rates.get(action);
    if (!rate || this.#timers.has(action) || (this.#queue.get(action)?.size ?? 0) === 0) return;
    const [oldest] = this.#recent(action, rate, now);
    if (oldest === undefined) return;
    const timer = setTimeout(
      () => {
        this.#timers.delete(action);
        const [first] = this.#queue.get(action) ?? [];
        if (first !== undefined) this.#wake(first);
      },
      oldest + rate.perSecs * 1000 - +now,
    );
    timer.unref();
    this.#timers.set(action, timer);
  }

  #reserve(key: string, slots: ReadonlyMap<string, ActionSlot>): void {
    const reserved = new Map<string, number>();
    for (const [action, { free }] of slots) {
      if (free === 0) continue;
      reserved.set(action, free);
      this.#reservedTotal.set(action, (this.#reservedTotal.get(action) ?? 0) + free);
    }
    if (reserved.size > 0) this.#reserved.set(key, reserved);
  }

  /** Drops the instance's reservation; the actions it had reserved slots of. */
  #unreserve(key: string): Set<string> {
    const slots = this.#reserved.get(key);
    if (slots === undefined) return new Set();
    this.#reserved.delete(key);
    for (const [action, n] of slots) {
      this.#reservedTotal.set(action, (this.#reservedTotal.get(action) ?? 0) - n);
    }
    return new Set(slots.keys());
  }

  /** `unreserved`: actions whose reserved slots the instance just gave back. */
  #set(key: string, use: ActionUse, unreserved: ReadonlySet<string>): void {
    const before = this.#held.get(key) ?? new Map<string, number>();
    const changed = new Set(unreserved);
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
    const free =
      (this.#limits.get(action) ?? Infinity) -
      (this.#total.get(action) ?? 0) -
      (this.#reservedTotal.get(action) ?? 0);
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
