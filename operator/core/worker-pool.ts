import type { ActionSlot } from './action-slots.ts';
import { queueAllowance } from './placement.ts';

/** A live worker as the scheduler sees it. */
export interface WorkerView {
  readonly name: string;
  readonly actions: ReadonlySet<string>;
  readonly capacity: number;
  /** Tasks currently Scheduled or Running on it, across all instances. */
  readonly load: number;
}

/** What one pick weighs besides the action (placement.ts). */
export interface PickOptions {
  /** The worker of the task's parent: taken first while it has room. */
  prefer?: string | undefined;
  /** A worker that left an attempt unstarted or silent: only when no other has the action. */
  avoid?: string | undefined;
  /** How long this kind of work typically takes in the instance: sets the queue a worker may hold. */
  typicalMs?: number | undefined;
}

/**
 * Picks workers for the tasks of one instance within one decision pass,
 * counting the pass's own assignments. The instance's tasks are packed: its
 * workers (`home`: those holding a task of it, then each one this pass
 * picks) are filled to their room before another is taken, and another is
 * the one with the most room, so a wave lands on as few workers as its size
 * allows and each write of the instance reaches only them. A worker's room
 * is its free slots plus the queue short work earns (placement.ts). When no
 * worker has room the least loaded takes the task, so work of unknown
 * length still spreads evenly over every worker.
 */
export class WorkerPool {
  readonly #workers: readonly WorkerView[];
  readonly #extra = new Map<string, number>();
  readonly #slots: Map<string, ActionSlot>;
  readonly #home: Set<string>;

  /**
   * `slots`: the cluster-wide limits of some actions, with what this pass may still place;
   * `home`: the workers holding a task of the instance.
   */
  constructor(
    workers: readonly WorkerView[],
    slots?: ReadonlyMap<string, ActionSlot>,
    home: Iterable<string> = [],
  ) {
    // Sorted by name so that equal loads always break the same way.
    this.#workers = [...workers].sort((a, b) => a.name.localeCompare(b.name));
    this.#slots = new Map([...(slots ?? [])].map(([a, s]) => [a, { ...s }]));
    this.#home = new Set(home);
  }

  /** Why no worker may take the action now, when it is a cluster-wide limit of it. */
  limitNote(action: string): string | undefined {
    const slot = this.#slots.get(action);
    return slot && slot.free <= 0 ? slot.note : undefined;
  }

  isLive(name: string): boolean {
    return this.#workers.some((w) => w.name === name);
  }

  /**
   * A live worker with the action for one task: `prefer` while it has room
   * (a chain or a wave stays where its parent ran, whose label and
   * TaskResult of the instance then serve it), else the instance's fullest
   * worker with room, else the worker with the most room, else the least
   * loaded relative to its capacity. `avoid` only when no other worker has
   * the action. None while the action is at its cluster-wide limit.
   */
  pick(action: string, opts: PickOptions = {}): string | undefined {
    const slot = this.#slots.get(action);
    if (slot && slot.free <= 0) return undefined;
    const best = this.#best(action, opts, opts.avoid) ?? this.#best(action, opts, undefined);
    if (best) {
      this.#extra.set(best.name, (this.#extra.get(best.name) ?? 0) + 1);
      this.#home.add(best.name);
    }
    if (best && slot) slot.free -= 1;
    return best?.name;
  }

  #best(action: string, opts: PickOptions, avoid: string | undefined): WorkerView | undefined {
    const able = this.#workers.filter((w) => w.actions.has(action) && w.name !== avoid);
    const held = (w: WorkerView): number => w.load + (this.#extra.get(w.name) ?? 0);
    const room = (w: WorkerView): number =>
      w.capacity + queueAllowance(w.capacity, opts.typicalMs) - held(w);
    const preferred = able.find((w) => w.name === opts.prefer);
    if (preferred && room(preferred) > 0) return preferred;
    const withRoom = able.filter((w) => room(w) > 0);
    const home = withRoom.filter((w) => this.#home.has(w.name));
    if (home.length > 0) return minBy(home, room);
    if (withRoom.length > 0) return minBy(withRoom, (w) => -room(w));
    return minBy(able, (w) => held(w) / w.capacity);
  }
}

/** The first item with the lowest score (items are in name order: ties go to the first name). */
function minBy<T>(items: readonly T[], score: (item: T) => number): T | undefined {
  let best: T | undefined;
  let bestScore = Infinity;
  for (const item of items) {
    const s = score(item);
    if (s < bestScore) {
      best = item;
      bestScore = s;
    }
  }
  return best;
}
