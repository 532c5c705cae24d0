import type { OperationRecord, TaskStatus } from '../../api/dag-instance.ts';
import type { DagGraph } from '../graph.ts';
import { currentIterationKey } from '../grown-graph.ts';
import {
  clamp,
  refusedOutright,
  type OperationOutcome,
  type OperationRequest,
} from '../operations.ts';
import { signalEffect } from './signals.ts';

/**
 * Applies a signal (approve, reject, end a wait) to the task it names, as
 * one more operation: recorded once in status.operations.signal, under the
 * user who sent it, whether applied or refused. A refusal changes no task.
 */
export function applySignal(
  op: OperationRequest,
  graph: DagGraph,
  tasks: Record<string, TaskStatus>,
  now: Date,
): OperationOutcome {
  const by = op.signal ? { by: op.signal.by } : {};
  const record = (result: OperationRecord['result'], message: string): OperationRecord => ({
    value: op.value,
    result,
    message: clamp(message),
    at: now.toISOString(),
    ...by,
  });
  const refuse = (message: string): OperationOutcome => ({
    tasks,
    record: record('Refused', message),
  });
  const outright = refusedOutright(op, graph.order);
  // A refusal of the value itself names the annotation; one of the task, the verb asked.
  if (outright !== undefined) {
    return refuse(`${op.refused === undefined ? op.signal?.verb : op.name}: ${outright}`);
  }
  if (!op.signal) return refuse('signal: nothing asked');
  const task = signalTarget(graph, tasks, op.signal.task);
  const effect = signalEffect(op.signal, graph.tasks.get(op.signal.task)?.type, tasks[task], now);
  if ('refused' in effect) return refuse(effect.refused);
  return { tasks: { ...tasks, [task]: effect.entry }, record: record('Applied', effect.message) };
}

/**
 * The key a signal to task `id` reaches: the task itself, or for a loop's
 * body task (whose id only mirrors the latest iteration) that iteration's
 * key, `gate#3`: what a user names as `gate` is the approval waiting now.
 */
function signalTarget(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
  id: string,
): string {
  return currentIterationKey(graph, tasks, id) ?? id;
}
