import type { RetryPolicy } from '../api/dag.ts';
import { MAX_HISTORY, type AttemptRecord, type TaskStatus } from '../api/dag-instance.ts';
import { TASK_REASON_INFO, type TaskReason } from '../api/task-reason.ts';

/** Whether another attempt may fix a failure: a reason said not to be is final. */
function isRetryable(reason: TaskReason | undefined): boolean {
  return reason === undefined || TASK_REASON_INFO[reason].retryable !== false;
}

/** Milliseconds between the failure of `attempt` and the start of the next one. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const seconds = policy.backoff?.seconds ?? 1;
  const factor = policy.backoff?.factor ?? 2;
  const delay = seconds * factor ** Math.max(0, attempt - 1);
  const cap = policy.backoff?.maxSeconds;
  return Math.round((cap === undefined ? delay : Math.min(delay, cap)) * 1000);
}

/** Whether a failed attempt should be followed by another under the policy. */
export function shouldRetry(policy: RetryPolicy | undefined, entry: TaskStatus): boolean {
  return policy !== undefined && isRetryable(entry.reason) && (entry.attempt ?? 1) <= policy.limit;
}

/**
 * The entry's history with its current attempt appended, bounded: the newest
 * MAX_HISTORY records are kept and the older ones counted.
 */
export function withAttemptRecorded(
  entry: TaskStatus,
  phase: AttemptRecord['phase'] = entry.phase,
): Pick<TaskStatus, 'history' | 'historyDropped'> {
  const record: AttemptRecord = {
    attempt: entry.attempt ?? 1,
    phase,
    ...(entry.worker ? { worker: entry.worker } : {}),
    ...(entry.startedAt ? { startedAt: entry.startedAt } : {}),
    ...(entry.finishedAt ? { finishedAt: entry.finishedAt } : {}),
    ...(entry.reason ? { reason: entry.reason } : {}),
    ...(entry.message ? { message: entry.message.slice(0, 1024) } : {}),
  };
  const all = [...(entry.history ?? []), record];
  const dropped = Math.max(0, all.length - MAX_HISTORY);
  const total = (entry.historyDropped ?? 0) + dropped;
  return { history: all.slice(dropped), ...(total > 0 ? { historyDropped: total } : {}) };
}

/**
 * What a task carries from an attempt that ended into its next one: the
 * attempt number, its history with that attempt recorded, and the continued
 * flag (a task continued past its block checks is not blocked again by them
 * when retried or moved to another worker).
 */
export function carriedToNextAttempt(
  entry: TaskStatus,
  phase: AttemptRecord['phase'] = entry.phase,
): Pick<TaskStatus, 'attempt' | 'history' | 'historyDropped' | 'continued'> {
  return {
    ...(entry.attempt ? { attempt: entry.attempt } : {}),
    ...withAttemptRecorded(entry, phase),
    ...(entry.continued ? { continued: true } : {}),
  };
}

/**
 * "worker ... was lost during attempt N" while attempt N + 1 waits for a
 * worker and once it has one: read from the lost attempt's record in the
 * task's history, the newest, until another attempt follows it.
 */
export function lostWorkerNote(from: TaskStatus | undefined, attempt: number): string | undefined {
  const last = from?.history?.at(-1);
  if (last?.reason !== 'WorkerLost' || last.attempt !== attempt - 1) return undefined;
  return `worker ${last.worker} was lost during attempt ${last.attempt}`;
}

/**
 * The worker the next attempt should avoid: the one whose previous attempt
 * never started or stopped beating (it may be wedged).
 */
export function workerToAvoid(from: TaskStatus | undefined, attempt: number): string | undefined {
  const last = from?.history?.at(-1);
  if (last?.attempt !== attempt - 1) return undefined;
  const wedged = last.reason === 'ScheduleToStartTimeout' || last.reason === 'HeartbeatTimeout';
  return wedged ? last.worker : undefined;
}
