import type { TaskPhase, TaskStatus } from '../api/dag-instance.ts';
import { MAX_RESULT_MESSAGE, type AttemptResult } from '../api/task-result.ts';
import { nextPhase, type WorkerEvent } from './task-transitions.ts';

/** What a worker says about one attempt of one task it was assigned. */
export interface AttemptReport {
  task: string;
  worker: string;
  attempt: number;
  event: WorkerEvent;
  /** The fields it reports besides the phase (startedAt, output, reason...). */
  set: Omit<Partial<TaskStatus>, 'phase'>;
}

/**
 * The result entry a report writes for an attempt last reported in phase
 * `from`: the phase the transition table gives for the event, output and
 * params as JSON text (or the name of the data object holding them), the
 * message cut to what the schema takes. Throws
 * TaskTransitionRefused for an event `from` has no row for.
 */
export function resultOf(r: AttemptReport, from: TaskPhase): AttemptResult {
  const {
    startedAt,
    finishedAt,
    reason,
    message,
    output,
    params,
    outputRef,
    paramsRef,
    heartbeats,
  } = r.set;
  const phase = nextPhase(from, r.event) as AttemptResult['phase'];
  return {
    phase,
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(message !== undefined ? { message: message.slice(0, MAX_RESULT_MESSAGE) } : {}),
    ...(output !== undefined ? { output: JSON.stringify(output) } : {}),
    ...(params !== undefined ? { params: JSON.stringify(params) } : {}),
    ...(outputRef !== undefined ? { outputRef } : {}),
    ...(paramsRef !== undefined ? { paramsRef } : {}),
    ...(heartbeats !== undefined ? { heartbeats } : {}),
  };
}

/** Two reports on the same attempt: the later one's fields win, the earlier ones stay. */
export function mergeResults(earlier: AttemptResult, later: AttemptResult): AttemptResult {
  return { ...earlier, ...later };
}

/**
 * What stands in for a result the API server refused to store: the attempt
 * failed, and the message says why, so the task fails visibly instead of
 * its result being lost.
 */
export function refusedResult(refused: AttemptResult, why: string, now: Date): AttemptResult {
  const message = `the API server refused to store the result: ${why}`;
  return {
    phase: 'Failed',
    ...(refused.startedAt ? { startedAt: refused.startedAt } : {}),
    finishedAt: refused.finishedAt ?? now.toISOString(),
    reason: 'ResultRefused',
    message: message.slice(0, MAX_RESULT_MESSAGE),
  };
}

/** The room an entry takes in a TaskResult (its key and its JSON). */
export function resultBytes(key: string, result: AttemptResult): number {
  return key.length + JSON.stringify(result).length;
}
