/**
 * The tasks a DAG grows at run time, as `decide` and its readers see them.
 * A Dag task keeps its id as its key; what grows gets a key derived from a
 * Dag task's (api/grown-tasks.ts): copy `x[3]` of fan-out task `x`, task
 * `step#2` of a loop's iteration 2. Such a key is not in the DagGraph: it
 * runs the spec of the task it derives from (specOf), is visited by the
 * system task that grew it (ControlContext.grow, in the same pass), and its
 * entry lives in status.tasks (and, finished, in shards) like any other.
 * The subDag child keys (`deploy/<child>`) are read from the child instance,
 * not grown here.
 */
import type { TaskPhase, TaskStatus } from '../api/dag-instance.ts';
import type { TaskSpec } from '../api/dag.ts';
import { fanOutKey, iterationKey } from '../api/grown-tasks.ts';
import { taskTypeOf } from '../api/task-types.ts';
import type { DagGraph } from './graph.ts';

export { fanOutKey, iterationKey };

/** What a grown key derives from: `x[3]` is copy 3 of x; `step#2` is step in iteration 2. */
export type GrownKey =
  { key: string; base: string; copy: number } | { key: string; base: string; iteration: number };

const COPY = /^(.+)\[(0|[1-9][0-9]*)\]$/;
const ITERATION = /^(.+)#([1-9][0-9]*)$/;

/** The Dag task a key derives from, or undefined for a Dag task's own key. */
export function parseGrownKey(key: string): GrownKey | undefined {
  const copy = COPY.exec(key);
  if (copy) return { key, base: copy[1] as string, copy: Number(copy[2]) };
  const it = ITERATION.exec(key);
  if (it) return { key, base: it[1] as string, iteration: Number(it[2]) };
  return undefined;
}

/** The Dag task id a key runs as: itself for a Dag task, the base for a grown key. */
export function baseIdOf(key: string): string {
  return parseGrownKey(key)?.base ?? key;
}

const copySpecs = new WeakMap<TaskSpec, TaskSpec>();

/**
 * The spec task `key` runs: the Dag task's own, or for a grown key its base
 * task's (a fan-out copy without forEach: a copy runs once, as its type says).
 */
export function specOf(graph: DagGraph, key: string): TaskSpec | undefined {
  const own = graph.tasks.get(key);
  if (own !== undefined) return own;
  const grown = parseGrownKey(key);
  const base = grown && graph.tasks.get(grown.base);
  if (base === undefined || grown === undefined) return undefined;
  if (!('copy' in grown)) return base;
  let spec = copySpecs.get(base);
  if (spec === undefined) {
    const { forEach: _, ...rest } = base;
    spec = rest;
    copySpecs.set(base, spec);
  }
  return spec;
}

/** Whether a Dag task runs once per item (it grows copies instead of running itself). */
export function isFanOut(spec: TaskSpec | undefined): boolean {
  return spec?.forEach !== undefined;
}

interface Loops {
  /** Body task id → the loop task whose body it is. */
  bodyOf: Map<string, string>;
  /** Loop task id → its body ids in topological order. */
  order: Map<string, string[]>;
}
const loopsOf = new WeakMap<DagGraph, Loops>();

function loops(graph: DagGraph): Loops {
  const known = loopsOf.get(graph);
  if (known) return known;
  const found: Loops = { bodyOf: new Map(), order: new Map() };
  for (const [id, spec] of graph.tasks) {
    if (taskTypeOf(spec) !== 'loop' || spec.loop === undefined) continue;
    const body = new Set(spec.loop.body);
    for (const b of body) if (!found.bodyOf.has(b)) found.bodyOf.set(b, id);
    found.order.set(
      id,
      graph.order.filter((t) => body.has(t)),
    );
  }
  loopsOf.set(graph, found);
  return found;
}

/** The loop whose body holds Dag task `id`: such a task never runs under its own key. */
export function loopOf(graph: DagGraph, id: string): string | undefined {
  return loops(graph).bodyOf.get(id);
}

/**
 * The key of the iteration loop body task `id` runs now (`step#3`), which
 * its id only mirrors; undefined for a task in no loop or one not started.
 */
export function currentIterationKey(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
  id: string,
): string | undefined {
  const loop = loopOf(graph, id);
  const iteration = loop === undefined ? undefined : tasks[loop]?.iteration;
  return iteration === undefined ? undefined : iterationKey(id, iteration);
}

/** The body of loop `id`, parents before children. */
export function loopBody(graph: DagGraph, id: string): readonly string[] {
  return loops(graph).order.get(id) ?? [];
}

/** The grown keys of `tasks` by the Dag task they derive from, in number order. */
export function grownByBase(tasks: Readonly<Record<string, TaskStatus>>): Map<string, string[]> {
  const found = new Map<string, GrownKey[]>();
  for (const key of Object.keys(tasks)) {
    const grown = parseGrownKey(key);
    if (grown === undefined) continue;
    const keys = found.get(grown.base);
    if (keys === undefined) found.set(grown.base, [grown]);
    else keys.push(grown); // in place: a 5,000-item fan-out's copies are one list, not 5,000 copies
  }
  const number = (g: GrownKey): number => ('copy' in g ? g.copy : g.iteration);
  const byBase = new Map<string, string[]>();
  for (const [base, keys] of found) {
    byBase.set(
      base,
      keys.sort((a, b) => number(a) - number(b)).map((g) => g.key),
    );
  }
  return byBase;
}

/** Keys to list an instance by: each Dag task followed by what it grew, then any other key. */
export function listingOrder(
  order: readonly string[],
  tasks: Readonly<Record<string, TaskStatus>>,
): string[] {
  const byBase = grownByBase(tasks);
  const keys = order.flatMap((id) => [id, ...(byBase.get(id) ?? [])]);
  const known = new Set(keys);
  for (const key of Object.keys(tasks).sort()) if (!known.has(key)) keys.push(key);
  return keys;
}

/**
 * The keys of `tasks` that an operation on the named tasks also acts on: a
 * fan-out's copies; a loop's iterations of its body tasks, and their mirrors.
 */
export function grownUnder(
  graph: DagGraph,
  names: readonly string[],
  tasks: Readonly<Record<string, TaskStatus>>,
): string[] {
  const bodies = names.flatMap((n) => loopBody(graph, n));
  const bases = new Set([...names, ...bodies]);
  // A loop's body ids hold its mirrors of the latest iteration: they go with it.
  const mirrors = bodies.filter((b) => tasks[b] !== undefined);
  return [...mirrors, ...Object.keys(tasks).filter((k) => bases.has(parseGrownKey(k)?.base ?? ''))];
}

/** Every key of `tasks` that a DAG grew (copies and iterations), in key order. */
export function grownKeys(tasks: Readonly<Record<string, TaskStatus>>): string[] {
  return Object.keys(tasks)
    .filter((k) => parseGrownKey(k) !== undefined)
    .sort();
}

/** Every task key of an instance: the Dag's, then the grown ones its entries hold. */
export function allKeys(graph: DagGraph, tasks: Readonly<Record<string, TaskStatus>>): string[] {
  return [...graph.order, ...grownKeys(tasks)];
}

/** Phases in which a grown key is under way (holds or waits for a worker, or a retry). */
export const UNDER_WAY: ReadonlySet<TaskPhase> = new Set([
  'Pending',
  'Scheduled',
  'Running',
  'Retrying',
]);

/**
 * What a copy renders `{{item}}`, `{{item.<path>}}` and `{{itemIndex}}`
 * from: its item (the fan-out task's recorded `params.items`) and index.
 */
export interface ItemSources {
  item: unknown;
  itemIndex: number;
}

/** The item of copy `key`, from the entry of its fan-out task (its recorded params). */
export function itemOf(key: string, fanOutParams: unknown): ItemSources | undefined {
  const grown = parseGrownKey(key);
  if (grown === undefined || !('copy' in grown)) return undefined;
  const items = (fanOutParams as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items) || grown.copy >= items.length) return undefined;
  return { item: items[grown.copy] as unknown, itemIndex: grown.copy };
}
