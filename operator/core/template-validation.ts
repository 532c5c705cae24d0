import type { DagSpec } from '../api/dag.ts';
import { formatPath } from '../api/field-path.ts';
import type { DagGraph } from './graph.ts';
import { loopOf } from './grown-graph.ts';
import { declaredList, forEachTemplate, type ParsedTemplate, type Reference } from './templates.ts';
import { isItemName } from './template-render.ts';

export type TemplateProblemReason =
  'InvalidTemplate' | 'UnknownVar' | 'UnknownTaskReference' | 'NotUpstreamTask';

export interface TemplateProblem {
  reason: TemplateProblemReason;
  /** Field path of the string holding the template, e.g. `spec.tasks[2].params.target`. */
  path: string;
  message: string;
}

interface Found {
  task: string;
  path: string;
  parsed: ParsedTemplate;
}

/**
 * What can be known about the templates of a Dag's params before it runs:
 * each `{{ }}` parses, each var it names is declared, and each task whose
 * output it reads exists and is an ancestor of the task (so it has finished
 * before the task starts). Share-data keys and output paths are only known
 * at run time. `graph` must be the graph built from `spec.tasks`. Problems
 * come in spec order.
 */
export function validateTemplates(spec: DagSpec, graph: DagGraph): TemplateProblem[] {
  const found: Found[] = [];
  // Tasks whose output is read other than by a direct child: only they need ancestry.
  const readFromAfar: string[] = [];
  spec.tasks.forEach((task, i) => {
    // What the operator renders for system tasks is checked as params are.
    const fields: Array<[string[], unknown]> = [
      [['params'], task.params],
      [['terminate', 'output'], task.terminate?.output],
      [['setVars'], task.setVars],
      [['subDag', 'vars'], task.subDag?.vars],
    ];
    for (const [field, value] of fields) {
      if (value === undefined) continue;
      forEachTemplate(value, formatPath(['spec', 'tasks', i, ...field]), (path, parsed) => {
        found.push({ task: task.id, path, parsed });
        if (!parsed.ok) return;
        for (const p of parsed.parts) {
          if (typeof p !== 'string' && p.kind === 'output' && !isParent(graph, task.id, p.task)) {
            readFromAfar.push(p.task);
          }
        }
      });
    }
  });
  if (found.length === 0) return [];
  const check: Checker = {
    vars: spec.vars ?? {},
    fanOuts: new Set(spec.tasks.filter((t) => t.forEach !== undefined).map((t) => t.id)),
    graph,
    upstream: readFromAfar.length > 0 ? upstreamOf(graph, readFromAfar) : () => false,
  };
  const problems: TemplateProblem[] = [];
  for (const { task, path, parsed } of found) {
    if (!parsed.ok) {
      const message = `${parsed.text}: ${parsed.message}`;
      problems.push({ reason: 'InvalidTemplate', path, message });
      continue;
    }
    for (const ref of parsed.parts) {
      const problem = typeof ref === 'string' ? undefined : checkReference(ref, task, check);
      if (problem) problems.push({ ...problem, path });
    }
  }
  return problems;
}

interface Checker {
  vars: Readonly<Record<string, unknown>>;
  /** Tasks with forEach: their templates may read `{{item}}` and `{{itemIndex}}`. */
  fanOuts: ReadonlySet<string>;
  graph: DagGraph;
  upstream: (task: string, target: string) => boolean;
}

function checkReference(
  ref: Reference,
  task: string,
  check: Checker,
): Omit<TemplateProblem, 'path'> | undefined {
  switch (ref.kind) {
    case 'var':
      if (Object.hasOwn(check.vars, ref.name)) return undefined;
      if (check.fanOuts.has(task) && isItemName(ref.name)) return undefined;
      return {
        reason: 'UnknownVar',
        message:
          `${ref.text}: var "${ref.name}" is not declared by the Dag ${declaredList(check.vars)}` +
          (isItemName(ref.name) ? '; item and itemIndex are read by a task with forEach' : ''),
      };
    case 'shareData':
      return undefined; // written by actions at run time
    case 'output':
      if (!check.graph.tasks.has(ref.task)) {
        return {
          reason: 'UnknownTaskReference',
          message: `${ref.text}: "${ref.task}" is not a task of this Dag`,
        };
      }
      if (ref.task === task) {
        return {
          reason: 'NotUpstreamTask',
          message: `${ref.text}: task "${task}" cannot read its own output`,
        };
      }
      if (reaches(check, task, ref.task)) return undefined;
      return {
        reason: 'NotUpstreamTask',
        message:
          `${ref.text}: task "${ref.task}" is not upstream of "${task}" (it may not have finished ` +
          `when "${task}" starts): add it to dependOn, directly or through another task`,
      };
  }
}

/**
 * Whether `target` has finished whenever `task` runs: it is upstream of the
 * task, or the task is in a loop's body (its parents are body tasks only)
 * and `target` is upstream of the loop, which starts every iteration after
 * its own upstreams. A fan-out's copies run the fan-out task's templates,
 * read as its own.
 */
function reaches(check: Checker, task: string, target: string): boolean {
  if (isParent(check.graph, task, target) || check.upstream(task, target)) return true;
  const loop = loopOf(check.graph, task);
  if (loop === undefined || loop === target) return false;
  return isParent(check.graph, loop, target) || check.upstream(loop, target);
}

function isParent(graph: DagGraph, task: string, target: string): boolean {
  return graph.parents.get(task)?.includes(target) ?? false;
}

/**
 * Ancestry restricted to the tasks whose output is read: one bit per such
 * task, propagated in topological order (O(edges × read tasks / 32)).
 */
function upstreamOf(
  graph: DagGraph,
  read: readonly string[],
): (task: string, target: string) => boolean {
  const bit = new Map<string, number>();
  for (const id of read) if (graph.tasks.has(id) && !bit.has(id)) bit.set(id, bit.size);
  const words = Math.ceil(bit.size / 32);
  const reach = new Map<string, Uint32Array>();
  for (const id of graph.order) {
    const mine = new Uint32Array(words);
    for (const p of graph.parents.get(id) ?? []) {
      const theirs = reach.get(p) as Uint32Array;
      for (let w = 0; w < words; w++) mine[w] = (mine[w] as number) | (theirs[w] as number);
      const b = bit.get(p);
      if (b !== undefined) mine[b >>> 5] = (mine[b >>> 5] as number) | (1 << (b & 31));
    }
    reach.set(id, mine);
  }
  return (task, target) => {
    const b = bit.get(target);
    const mine = reach.get(task);
    if (b === undefined || mine === undefined) return false;
    return ((mine[b >>> 5] as number) & (1 << (b & 31))) !== 0;
  };
}
