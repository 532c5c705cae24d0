import type { TaskStatus } from '../api/dag-instance.ts';
import type { TaskSpec } from '../api/dag.ts';
import type { DagGraph } from './graph.ts';
import { specOf } from './grown-graph.ts';

/**
 * Where an instance's ready tasks go (docs/architecture.md, "Watch
 * fan-out"): every write of an instance reaches each worker labelled on it,
 * so a wave of independent tasks is packed onto as few workers as its size
 * allows. A worker takes tasks up to its free slots and, for work this
 * instance has shown to be short, a queue of about QUEUE_WINDOW_MS of it
 * beyond them: a worker that runs 250 no-op tasks back to back needs no
 * round trip per slot, and no seven other workers see every write of the
 * instance. Work of unknown or long duration gets no queue: it spreads over
 * the free slots of every worker, then over the least loaded.
 */

/** Expected work a worker may be handed beyond its free slots: its queue drains within about this (Celery, by comparison, queues 4 × its concurrency whatever the length). */
export const QUEUE_WINDOW_MS = 5_000;

/** Tasks a worker may queue beyond its slots, however short they are. */
export const MAX_QUEUED = 256;

/** One kind of work: the same action with the same params as the Dag writes them. */
const kinds = new WeakMap<TaskSpec, string>();

function kindOfSpec(spec: TaskSpec): string {
  let kind = kinds.get(spec);
  if (kind === undefined) {
    kind = JSON.stringify([spec.actionName ?? '', spec.params ?? {}]);
    kinds.set(spec, kind);
  }
  return kind;
}

export function kindOf(graph: DagGraph, id: string): string | undefined {
  const spec = specOf(graph, id);
  return spec?.actionName === undefined ? undefined : kindOfSpec(spec);
}

/**
 * The shortest succeeded attempt (startedAt → finishedAt, both on the
 * worker's clock) of each kind of work in the instance's status: the first
 * attempt on a worker also loads the Dag snapshot, so the shortest is the
 * one closest to the work itself.
 */
export function typicalDurations(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
): Map<string, number> {
  const shortest = new Map<string, number>();
  for (const [id, t] of Object.entries(tasks)) {
    if (t.phase !== 'Succeeded' || !t.startedAt || !t.finishedAt) continue;
    const ms = Date.parse(t.finishedAt) - Date.parse(t.startedAt);
    const kind = kindOf(graph, id);
    if (kind === undefined || !Number.isFinite(ms) || ms < 0) continue;
    shortest.set(kind, Math.min(ms, shortest.get(kind) ?? Infinity));
  }
  return shortest;
}

/**
 * Tasks beyond its capacity a worker may queue of work that typically takes
 * `typicalMs`: about QUEUE_WINDOW_MS of it over its slots, at most
 * MAX_QUEUED; none while nothing of that kind has run in the instance.
 */
export function queueAllowance(capacity: number, typicalMs: number | undefined): number {
  if (typicalMs === undefined) return 0;
  const fits = Math.floor((capacity * QUEUE_WINDOW_MS) / Math.max(1, typicalMs));
  return Math.max(0, Math.min(MAX_QUEUED, fits));
}

/** The worker that ran one of the task's parents: its wave starts there (its label is on). */
export function parentWorker(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
  id: string,
): string | undefined {
  for (const p of graph.parents.get(id) ?? []) {
    const worker = tasks[p]?.worker;
    if (worker !== undefined) return worker;
  }
  return undefined;
}

/** What placing one task weighs (worker-pool.ts), from the instance as a pass found it. */
export class PlacementHints {
  readonly #graph: DagGraph;
  readonly #tasks: Readonly<Record<string, TaskStatus>>;
  #durations: Map<string, number> | undefined;

  constructor(graph: DagGraph, tasks: Readonly<Record<string, TaskStatus>>) {
    this.#graph = graph;
    this.#tasks = tasks;
  }

  /** How long the task's kind of work typically took here; read only when a pass places one. */
  typicalMs(id: string): number | undefined {
    const kind = kindOf(this.#graph, id);
    if (kind === undefined) return undefined;
    this.#durations ??= typicalDurations(this.#graph, this.#tasks);
    return this.#durations.get(kind);
  }
}
