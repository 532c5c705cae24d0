/**
 * The graph the web view draws: the Dag's tasks, where a task that grew
 * copies at run time (fan-out `x[3]`, loop iterations `x#2`, as
 * core/grown-graph.ts parses them; a sub-DAG's tasks live in the child's
 * status, not in these keys) is one group node holding them, so a
 * 5,000-copy fan-out is one node until the user expands it. Tasks
 * declared side by side (the same parents, the same children: a fan-out
 * written out by hand) are one group too once there are SIBLING_GROUP of them.
 */
import type { TaskPhase, TaskStatus } from '../api/dag-instance.ts';
import { parseGrownKey } from '../core/grown-graph.ts';

export type GraphShape = {
  order: readonly string[];
  parents: ReadonlyMap<string, readonly string[]>;
};

export type ViewNode = {
  id: string;
  /**
   * The keys of status.tasks grown from this task, in their natural order, or
   * the sibling tasks the node stands for; empty for a plain task.
   */
  members: string[];
  /** Set on a group of sibling tasks (its id is no task's: `first … last`). */
  siblings?: true;
};

/** Side-by-side tasks drawn as one group from this many. */
export const SIBLING_GROUP = 12;

export type ViewGraph = {
  nodes: ViewNode[];
  edges: { from: string; to: string }[];
  /** Keys of status.tasks that are neither a task of the graph nor grown from one. */
  strays: string[];
};

/** Orders `x[2]` before `x[10]`: numbers compare as numbers. */
const natural = new Intl.Collator('en', { numeric: true }).compare;

export function viewGraph(graph: GraphShape, keys: Iterable<string>): ViewGraph {
  const members = new Map<string, string[]>(graph.order.map((id) => [id, []]));
  const strays: string[] = [];
  for (const key of keys) {
    if (members.has(key)) continue;
    const base = parseGrownKey(key)?.base;
    const group = base === undefined ? undefined : members.get(base);
    if (group) group.push(key);
    else strays.push(key);
  }
  const groupOf = siblingGroups(graph, members);
  const nodes: ViewNode[] = [];
  for (const id of graph.order) {
    const group = groupOf.get(id);
    if (group === undefined) nodes.push({ id, members: (members.get(id) ?? []).sort(natural) });
    else if (group.members[0] === id) nodes.push(group);
  }
  return { nodes, edges: groupEdges(graph, groupOf), strays: strays.sort(natural) };
}

/** The graph's edges between the drawn nodes: a group's members' edges become one each. */
function groupEdges(graph: GraphShape, groupOf: ReadonlyMap<string, ViewNode>): ViewGraph['edges'] {
  const seen = new Set<string>();
  const edges: ViewGraph['edges'] = [];
  for (const to of graph.order) {
    for (const from of graph.parents.get(to) ?? []) {
      const edge = { from: groupOf.get(from)?.id ?? from, to: groupOf.get(to)?.id ?? to };
      const key = `${edge.from}\n${edge.to}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push(edge);
    }
  }
  return edges;
}

/** Plain tasks (no grown copies) that share their parents and children, SIBLING_GROUP or more. */
function siblingGroups(
  graph: GraphShape,
  members: ReadonlyMap<string, string[]>,
): Map<string, ViewNode> {
  const children = new Map<string, string[]>();
  for (const id of graph.order) {
    for (const p of graph.parents.get(id) ?? []) {
      const list = children.get(p);
      if (list) list.push(id);
      else children.set(p, [id]);
    }
  }
  const bySignature = new Map<string, string[]>();
  for (const id of graph.order) {
    if ((members.get(id) ?? []).length > 0) continue;
    const parents = [...(graph.parents.get(id) ?? [])].sort().join(',');
    const kids = [...(children.get(id) ?? [])].sort().join(',');
    const sig = `${parents}|${kids}`;
    const list = bySignature.get(sig);
    if (list) list.push(id);
    else bySignature.set(sig, [id]);
  }
  const groupOf = new Map<string, ViewNode>();
  for (const ids of bySignature.values()) {
    if (ids.length < SIBLING_GROUP) continue;
    const group: ViewNode = { id: `${ids[0]} … ${ids.at(-1)}`, members: ids, siblings: true };
    for (const id of ids) groupOf.set(id, group);
  }
  return groupOf;
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
