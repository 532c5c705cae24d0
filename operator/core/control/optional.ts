import type { TaskPhase, TaskStatus } from '../../api/dag-instance.ts';
import type { DagGraph } from '../graph.ts';
import { phaseOf } from '../task-transitions.ts';

/** Phases that let a child run. */
export const DONE_OK: ReadonlySet<string> = new Set(['Succeeded', 'Skipped']);

/**
 * `optional: true` (Conductor's optional, Argo's continueOn): the task's
 * failure, once no retry is left, lets its dependants run and the instance
 * succeed; the instance names it. A failure still pending a retry is
 * `Retrying`, never `Failed`, when the children are decided (decide visits
 * parents first), so a Failed optional task here is final.
 */
function failedOptional(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
  id: string,
): boolean {
  return phaseOf(tasks[id]) === 'Failed' && graph.tasks.get(id)?.optional === true;
}

/** Whether every parent of `id` ended Succeeded or Skipped, or failed being optional: it may start. */
export function parentsDone(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
  id: string,
): boolean {
  return (graph.parents.get(id) ?? []).every(
    (p) => DONE_OK.has(phaseOf(tasks[p])) || failedOptional(graph, tasks, p),
  );
}

/** The phase the instance counts for task `id`: an optional task's failure counts as done. */
export function phaseForInstance(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
  id: string,
): TaskPhase {
  return failedOptional(graph, tasks, id) ? 'Succeeded' : phaseOf(tasks[id]);
}

/** The optional tasks that failed, in graph order. */
export function optionalFailures(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
): string[] {
  return graph.order.filter((id) => failedOptional(graph, tasks, id));
}
