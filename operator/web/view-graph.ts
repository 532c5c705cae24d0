/**
 * The graph the web view draws: the Dag's tasks, where a task that grew
 * copies at run time (fan-out `x[3]`, loop iterations `x#2`, a sub-DAG's
 * tasks `x/child`: operator/api/grown-tasks.ts) is one group node holding
 * them, so a 5,000-copy fan-out is one node until the user expands it.
 */
import type { TaskPhase, TaskStatus } from '../api/dag-instance.ts';

export type GraphShape = {
  order: readonly string[];
  parents: ReadonlyMap<string, readonly string[]>;
};

export type ViewNode = {
  id: string;
  /** The keys of status.tasks grown from this task, in their natural order; empty for a plain task. */
  members: string[];
};

export type ViewGraph = {
  nodes: ViewNode[];
  edges: { from: string; to: string }[];
  /** Keys of status.tasks that are neither a task of the graph nor grown from one. */
  strays: string[];
};

/** The task a grown key came from (`x[3]`, `x#2`, `x/a/b` → `x`), or undefined for a plain id. */
export function grownFrom(key: string): string | undefined {
  const cut = key.search(/[[#/]/);
  return cut > 0 ? key.slice(0, cut) : undefined;
}

/** Orders `x[2]` before `x[10]`: numbers compare as numbers. */
const natural = new Intl.Collator('en', { numeric: true }).compare;

export function viewGraph(graph: GraphShape, keys: Iterable<string>): ViewGraph {
  const members = new Map<string, string[]>(graph.order.map((id) => [id, []]));
  const strays: string[] = [];
  for (const key of keys) {
    if (members.has(key)) continue;
    const base = grownFrom(key);
    const group = base === undefined ? undefined : members.get(base);
    if (group) group.push(key);
    else strays.push(key);
  }
  const nodes = graph.order.map((id) => ({
    id,
    members: (members.get(id) ?? []).sort(natural),
  }));
  const edges = graph.order.flatMap((to) =>
    (graph.parents.get(to) ?? []).map((from) => ({ from, to })),
  );
  return { nodes, edges, strays: strays.sort(natural) };
}

/** How many of a group's members are in each phase (a member absent from status is Pending). */
export function phaseCounts(
  members: readonly string[],
  tasks: Readonly<Record<string, TaskStatus>>,
): Partial<Record<TaskPhase, number>> {
  const counts: Partial<Record<TaskPhase, number>> = {};
  for (const key of members) {
    const phase = tasks[key]?.phase ?? 'Pending';
    counts[phase] = (counts[phase] ?? 0) + 1;
  }
  return counts;
}
