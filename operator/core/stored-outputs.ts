import type { TaskSpec } from '../api/dag.ts';
import type { TaskStatus } from '../api/dag-instance.ts';
import { taskTypeOf } from '../api/task-types.ts';
import type { DagGraph } from './graph.ts';
import { currentIterationKey, loopOf } from './grown-graph.ts';
import { phaseOf } from './task-transitions.ts';
import { templateReferences } from './templates.ts';

export type { StoredOutputs } from './attempt-values.ts';

/**
 * The data objects (outputRef names) holding upstream outputs that system
 * tasks still to be decided read: switch expressions, forEach items, a
 * loop's while, setVars, terminate and subDag templates. The reconciler
 * reads them (the worker's reader, cached) before decide, which stays pure
 * and finds them in `storedOutputs`.
 */
export function storedOutputsToLoad(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
): string[] {
  const names = new Set<string>();
  for (const [id, spec] of graph.tasks) {
    if (!decidesNow(graph, id, spec, tasks)) continue;
    for (const read of outputsReadBy(spec)) {
      for (const entry of entriesOf(graph, read, tasks)) {
        if (entry?.output === undefined && entry?.outputRef !== undefined)
          names.add(entry.outputRef);
      }
    }
  }
  return [...names];
}

/**
 * Whether the operator may decide task `id` (or keys grown from it) in the
 * next pass: a system task or fan-out not decided yet; a loop while it runs
 * (its while); a subDag fan-out while it runs (its copies still to start);
 * a system task in the body of a loop that runs (its iterations).
 */
function decidesNow(
  graph: DagGraph,
  id: string,
  spec: TaskSpec,
  tasks: Readonly<Record<string, TaskStatus>>,
): boolean {
  const system = taskTypeOf(spec) !== 'action';
  if (!system && spec.forEach === undefined) return false;
  const loop = loopOf(graph, id);
  if (loop !== undefined) return tasks[loop]?.phase === 'Running';
  const phase = phaseOf(tasks[id]);
  if (UNDECIDED.has(phase)) return true;
  return (
    phase === 'Running' && (taskTypeOf(spec) === 'loop' || (system && spec.forEach !== undefined))
  );
}

/** The entries `tasks.<read>` names: a loop body id's mirror and its current iteration's key. */
function entriesOf(
  graph: DagGraph,
  read: string,
  tasks: Readonly<Record<string, TaskStatus>>,
): Array<TaskStatus | undefined> {
  const current = currentIterationKey(graph, tasks, read);
  return current === undefined ? [tasks[read]] : [tasks[read], tasks[current]];
}

/** A system task in these phases decides (again) when it becomes ready. */
const UNDECIDED: ReadonlySet<string> = new Set(['Pending', 'Retrying']);

// `tasks.<id>` or `tasks["<id>"]` in a CEL expression: an id with "-" is only reachable the second way.
const CEL_TASK = /\btasks\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*(["'])(.*?)\2\s*\])/g;

/** The tasks whose output a system task reads (a switch's may be named more than once). */
function outputsReadBy(spec: TaskSpec): string[] {
  const fromTemplates = templateReferences([
    spec.terminate?.output,
    spec.setVars,
    spec.subDag?.vars,
  ])
    .map(({ ref }) => (ref.kind === 'output' ? ref.task : undefined))
    .filter((t) => t !== undefined);
  const expressions = [spec.switch?.expression, spec.forEach?.items, spec.loop?.while].join('\n');
  const fromCel = [...expressions.matchAll(CEL_TASK)].map((m) => m[1] ?? m[3] ?? '');
  return [...fromTemplates, ...fromCel];
}
