import type { TaskStatus } from '../api/dag-instance.ts';
import type { ActionSlot } from './action-slots.ts';
import type { DagGraph } from './graph.ts';

/** A live worker as the scheduler sees it. */
export interface WorkerView {
  readonly name: string;
  readonly actions: ReadonlySet<string>;
  readonly capacity: number;
  /** Tasks currently Scheduled or Running on it, across all instances. */
  readonly load: number;
}

/**
 * Picks workers for tasks within one decision pass, counting the pass's own
 * assignments so a wide fan-out spreads instead of piling onto the worker
 * that was least loaded when the pass began.
 */
export class WorkerPool {
  readonly #workers: readonly WorkerView[];
  readonly #extra = new Map<string, number>();
  readonly #slots: Map<string, ActionSlot>;

  /** `slots`: the cluster-wide limits of some actions, with what this pass may still place. */
  constructor(workers: readonly WorkerView[], slots?: ReadonlyMap<string, ActionSlot>) {
    // Sorted by name so that equal loads always break the same way.
    this.#workers = [...workers].sort((a, b) => a.name.localeCompare(b.name));
    this.#slots = new Map([...(slots ?? [])].map(([a, s]) => [a, { ...s }]));
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
   * The least loaded live worker (relative to its capacity) that has the
   * action; `prefer` (the worker of the task's parent) instead while it has
   * a free slot: a chain stays on one worker, whose label and TaskResult of
   * the instance then serve every step instead of being added and removed
   * at each one. `avoid` (a worker that left an attempt unstarted or
   * silent) only when no other worker has the action. None while the
   * action is at its cluster-wide limit.
   */
  pick(action: string, prefer?: string, avoid?: string): string | undefined {
    const slot = this.#slots.get(action);
    if (slot && slot.free <= 0) return undefined;
    const best = this.#best(action, prefer, avoid) ?? this.#best(action, prefer);
    if (best) this.#extra.set(best.name, (this.#extra.get(best.name) ?? 0) + 1);
    if (best && slot) slot.free -= 1;
    return best?.name;
  }

  #best(action: string, prefer?: string, avoid?: string): WorkerView | undefined {
    let best: WorkerView | undefined;
    let bestRatio = Infinity;
    for (const w of this.#workers) {
      if (!w.actions.has(action) || w.name === avoid) continue;
      const ratio = (w.load + (this.#extra.get(w.name) ?? 0)) / w.capacity;
      if (w.name === prefer && ratio < 1) return w;
      if (ratio < bestRatio) {
        best = w;
        bestRatio = ratio;
      }
    }
    return best;
  }
}

/** A chain step (its only parent has no other child) stays on its parent's worker. */
export function chainWorker(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
  id: string,
): string | undefined {
  const [parent, ...others] = graph.parents.get(id) ?? [];
  if (parent === undefined || others.length > 0) return undefined;
  if (graph.children.get(parent)?.length !== 1) return undefined;
  return tasks[parent]?.worker;
}
