import type { TaskSpec } from '../api/dag.ts';
import type { TaskStatus } from '../api/dag-instance.ts';
import { taskTypeOf } from '../api/task-types.ts';
import type { DagGraph } from './graph.ts';
import { phaseOf } from './task-transitions.ts';
import { templateReferences } from './templates.ts';

export type { StoredOutputs } from './attempt-values.ts';

/**
 * The data objects (outputRef names) holding upstream outputs that system
 * tasks still to be decided read: switch expressions, forEach items, setVars
 * and terminate templates. The reconciler reads them (the worker's reader,
 * cached) before decide, which stays pure and finds them in `storedOutputs`.
 */
export function storedOutputsToLoad(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
): string[] {
  const names = new Set<string>();
  for (const [id, spec] of graph.tasks) {
    // A fan-out (forEach) is decided by the operator too: its items read upstream outputs.
    const decided = taskTypeOf(spec) !== 'action' || spec.forEach !== undefined;
    if (!decided || !UNDECIDED.has(phaseOf(tasks[id]))) continue;
    for (const read of outputsReadBy(spec)) {
      const entry = tasks[read];
      if (entry?.output === undefined && entry?.outputRef !== undefined) names.add(entry.outputRef);
    }
  }
  return [...names];
}

/** A system task in these phases decides (again) when it becomes ready. */
const UNDECIDED: ReadonlySet<string> = new Set(['Pending', 'Retrying']);

// `tasks.<id>` or `tasks["<id>"]` in a CEL expression: an id with "-" is only reachable the second way.
const CEL_TASK = /\btasks\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*(["'])(.*?)\2\s*\])/g;

/** The tasks whose output a system task reads (a switch's may be named more than once). */
function outputsReadBy(spec: TaskSpec): string[] {
  const fromTemplates = templateReferences([spec.terminate?.output, spec.setVars])
    .map(({ ref }) => (ref.kind === 'output' ? ref.task : undefined))
    .filter((t) => t !== undefined);
  const expressions = [spec.switch?.expression, spec.forEach?.items].join('\n');
  const fromCel = [...expressions.matchAll(CEL_TASK)].map((m) => m[1] ?? m[3] ?? '');
  return [...fromTemplates, ...fromCel];
}
