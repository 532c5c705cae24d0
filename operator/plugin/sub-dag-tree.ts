/**
 * The tasks of subDag children shown in their parent: `kubectl fastflow
 * tree` and `get` list the child's tasks as `deploy/<child task>` (the keys
 * of grown-tasks.ts), under the subDag task, for the child of its current
 * attempt, and so on down for the children's own subDag tasks.
 */
import type { TaskStatus } from '../api/dag-instance.ts';
import { childTaskKey, MAX_SUBDAG_DEPTH } from '../api/grown-tasks.ts';
import type { DagInstance } from '../api/objects.ts';
import { taskTypeOf } from '../api/task-types.ts';
import type { DagGraph } from '../core/graph.ts';
import { baseIdOf, grownByBase, loopOf, specOf } from '../core/grown-graph.ts';
import { childInstanceName } from '../store/child-instances.ts';
import type { TreeGraph } from './tree.ts';

export interface Expanded {
  graph: TreeGraph;
  tasks: Record<string, TaskStatus>;
}

/** Reads an instance and its graph; undefined when either cannot be read. */
export type LoadInstance = (
  name: string,
) => Promise<{ instance: DagInstance; graph: DagGraph } | undefined>;

/** The instance's graph and tasks with every child's tasks added under the subDag task running it. */
export async function withChildTasks(
  load: LoadInstance,
  instance: DagInstance,
  graph: DagGraph,
  depth = 0,
): Promise<Expanded> {
  const tasks = { ...instance.status?.tasks };
  let out: Expanded = { graph, tasks };
  if (depth >= MAX_SUBDAG_DEPTH) return out;
  const byBase = grownByBase(tasks);
  // A loop's body ids hold mirrors: its children run under the iterations' keys.
  const keys = graph.order.flatMap((id) => [
    ...(loopOf(graph, id) === undefined ? [id] : []),
    ...(byBase.get(id) ?? []),
  ]);
  for (const key of keys) {
    const spec = specOf(graph, key);
    const attempt = tasks[key]?.attempt;
    if (!spec || taskTypeOf(spec) !== 'subDag' || attempt === undefined) continue;
    const child = await load(childInstanceName(instance.metadata.name, key, attempt));
    if (!child) continue;
    const inner = await withChildTasks(load, child.instance, child.graph, depth + 1);
    out = nest(out, key, inner);
  }
  return out;
}

/** `inner` drawn under task `id` of `outer`: its keys prefixed `id/`, its roots children of `id`. */
export function nest(outer: Expanded, id: string, inner: Expanded): Expanded {
  const key = (k: string) => childTaskKey(id, k);
  const parents = new Map(outer.graph.parents);
  const children = new Map(outer.graph.children);
  const roots: string[] = [];
  for (const k of inner.graph.order) {
    const ps = inner.graph.parents.get(k) ?? [];
    if (ps.length === 0) roots.push(key(k));
    parents.set(key(k), ps.length === 0 ? [id] : ps.map(key));
    children.set(key(k), (inner.graph.children.get(k) ?? []).map(key));
  }
  children.set(id, [...roots, ...(outer.graph.children.get(id) ?? [])]);
  const at = placeOf(outer.graph.order, id);
  const order = [
    ...outer.graph.order.slice(0, at),
    ...inner.graph.order.map(key),
    ...outer.graph.order.slice(at),
  ];
  const tasks = { ...outer.tasks };
  for (const [k, entry] of Object.entries(inner.tasks)) tasks[key(k)] = entry;
  return { graph: { order, parents, children }, tasks };
}

/**
 * Where the tasks of the child of `key` go in the listing order: after a Dag
 * task; after a grown key's base and the children already placed under its
 * siblings (`kids[0]/…` before `kids[1]/…`), as the listing shows grown keys
 * right after their base.
 */
function placeOf(order: readonly string[], key: string): number {
  const at = order.indexOf(key);
  if (at >= 0) return at + 1;
  const base = baseIdOf(key);
  let i = order.indexOf(base) + 1;
  const under = (k: string | undefined): boolean =>
    k !== undefined && k.startsWith(base) && ['[', '#'].includes(k.charAt(base.length));
  while (under(order[i])) i++;
  return i;
}
