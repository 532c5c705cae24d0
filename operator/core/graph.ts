import type { TaskSpec } from '../api/dag.ts';
import { formatPath } from '../api/field-path.ts';

/** The dependency graph of a Dag, built once per snapshot. */
export interface DagGraph {
  /** Tasks in a topological order (parents before children; ties by spec order). */
  readonly order: readonly string[];
  readonly tasks: ReadonlyMap<string, TaskSpec>;
  readonly parents: ReadonlyMap<string, readonly string[]>;
  readonly children: ReadonlyMap<string, readonly string[]>;
}

export type GraphProblemReason =
  'DuplicateTaskId' | 'UnknownDependency' | 'SelfDependency' | 'CycleDetected';

export interface GraphProblem {
  reason: GraphProblemReason;
  /** Field path of the offending value, e.g. `spec.tasks[2].dependOn[0]`. */
  path: string;
  message: string;
}

export type GraphResult = { ok: true; graph: DagGraph } | { ok: false; problems: GraphProblem[] };

/**
 * Builds the graph and reports every structural problem at once, each with
 * its field path, so a user fixes a Dag in one round trip.
 */
export function buildGraph(tasks: readonly TaskSpec[]): GraphResult {
  const problems = referenceProblems(tasks);

  // Cycles are looked for even when references are broken (ignoring the
  // broken edges and later duplicates), so that they are reported together.
  const byId = new Map<string, TaskSpec>();
  for (const t of tasks) if (!byId.has(t.id)) byId.set(t.id, t);
  const unique = [...byId.values()];
  const parents = new Map(
    unique.map((t) => [
      t.id,
      [...new Set(t.dependOn ?? [])].filter((p) => p !== t.id && byId.has(p)),
    ]),
  );
  const children = new Map<string, string[]>(unique.map((t) => [t.id, []]));
  for (const [id, ps] of parents) for (const p of ps) children.get(p)?.push(id);

  const order = topologicalOrder(unique, parents, children);
  if (order.length < unique.length) {
    const cycle = findCycle(unique, parents, new Set(order));
    problems.push({
      reason: 'CycleDetected',
      path: 'spec.tasks',
      message: `tasks form a cycle: ${cycle.join(' -> ')}`,
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, graph: { order, tasks: byId, parents, children } };
}

function referenceProblems(tasks: readonly TaskSpec[]): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const seen = new Set<string>();
  tasks.forEach((t, i) => {
    if (seen.has(t.id)) {
      problems.push({
        reason: 'DuplicateTaskId',
        path: formatPath(['spec', 'tasks', i, 'id']),
        message: `task id "${t.id}" is used more than once`,
      });
    }
    seen.add(t.id);
  });
  const ids = new Set(tasks.map((t) => t.id));
  tasks.forEach((t, i) =>
    (t.dependOn ?? []).forEach((dep, j) => {
      const path = formatPath(['spec', 'tasks', i, 'dependOn', j]);
      if (dep === t.id) {
        problems.push({
          reason: 'SelfDependency',
          path,
          message: `task "${t.id}" depends on itself`,
        });
      } else if (!ids.has(dep)) {
        problems.push({
          reason: 'UnknownDependency',
          path,
          message: `task "${t.id}" depends on "${dep}", which is not a task of this Dag`,
        });
      }
    }),
  );
  return problems;
}

/** Kahn's algorithm; a shorter result than the input means a cycle. */
function topologicalOrder(
  tasks: readonly TaskSpec[],
  parents: ReadonlyMap<string, readonly string[]>,
  children: ReadonlyMap<string, readonly string[]>,
): string[] {
  const missing = new Map(tasks.map((t) => [t.id, parents.get(t.id)?.length ?? 0]));
  const ready = tasks.filter((t) => missing.get(t.id) === 0).map((t) => t.id);
  const order: string[] = [];
  for (let i = 0; i < ready.length; i++) {
    const id = ready[i] as string;
    order.push(id);
    for (const child of children.get(id) ?? []) {
      const left = (missing.get(child) ?? 0) - 1;
      missing.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  return order;
}

/** Walks parent links from an unordered task until a task repeats: that loop is a cycle. */
function findCycle(
  tasks: readonly TaskSpec[],
  parents: ReadonlyMap<string, readonly string[]>,
  ordered: ReadonlySet<string>,
): string[] {
  const start = tasks.find((t) => !ordered.has(t.id))?.id as string;
  const path: string[] = [];
  const index = new Map<string, number>();
  let current = start;
  while (!index.has(current)) {
    index.set(current, path.length);
    path.push(current);
    // Some parent of an unordered task is itself unordered (otherwise it would be ordered).
    current = (parents.get(current) ?? []).find((p) => !ordered.has(p)) as string;
  }
  // path runs child -> parent; show it in dependency direction.
  return [...path.slice(index.get(current)), current].reverse();
}

/** Every task that depends on `id`, directly or through others. */
export function descendantsOf(graph: DagGraph, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.children.get(id) ?? [])];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(graph.children.get(next) ?? []));
  }
  return seen;
}
