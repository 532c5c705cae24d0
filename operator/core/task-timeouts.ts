import type { TaskStatus } from '../api/dag-instance.ts';
import type { TaskSpec } from '../api/dag.ts';
import type { TaskReason } from '../api/task-reason.ts';
import { transition, type OperatorEvent } from './task-transitions.ts';

/** A task holding a live worker after its timeouts are applied, and when to look again. */
export interface Watched {
  entry: TaskStatus;
  wakeAt?: Date;
}

/**
 * The schedule-to-start and heartbeat timeouts of a Scheduled or Running
 * task whose worker is alive. Both count on the operator's own clock (a
 * worker's clock may be skewed): schedule-to-start from `scheduledAt`, which
 * the operator stamped when it assigned the attempt; the heartbeat from
 * `heartbeatAt`, which is stamped here the first time the task is seen
 * Running without it (the fold clears it whenever a new beat arrives). An
 * expired attempt fails with a retryable reason; the caller applies the
 * retry policy. Otherwise `wakeAt` says when it would expire, so nothing polls.
 */
export function watchTimeouts(spec: TaskSpec | undefined, entry: TaskStatus, now: Date): Watched {
  const toStart = spec?.scheduleToStartSecs;
  if (entry.phase === 'Scheduled' && toStart !== undefined && entry.scheduledAt) {
    return expiring(entry, after(entry.scheduledAt, toStart), now, {
      event: 'ScheduleToStartExpired',
      reason: 'ScheduleToStartTimeout',
      message: `worker ${entry.worker} did not start attempt ${entry.attempt ?? 1} within scheduleToStartSecs (${toStart}s)`,
    });
  }
  const beat = spec?.heartbeatTimeoutSecs;
  if (entry.phase === 'Running' && beat !== undefined) {
    if (!entry.heartbeatAt) {
      return { entry: { ...entry, heartbeatAt: now.toISOString() }, wakeAt: after(now, beat) };
    }
    return expiring(entry, after(entry.heartbeatAt, beat), now, {
      event: 'HeartbeatExpired',
      reason: 'HeartbeatTimeout',
      message: `no heartbeat from the action for heartbeatTimeoutSecs (${beat}s) on worker ${entry.worker}`,
    });
  }
  return { entry };
}

/** The entry as it is until `at`, then failed by the timeout. */
function expiring(
  entry: TaskStatus,
  at: Date,
  now: Date,
  why: { event: OperatorEvent; reason: TaskReason; message: string },
): Watched {
  if (now < at) return { entry, wakeAt: at };
  const { event, ...fields } = why;
  return {
    entry: transition(entry, event, { ...entry, ...fields, finishedAt: now.toISOString() }),
  };
}

function after(from: string | Date, secs: number): Date {
  const ms = typeof from === 'string' ? Date.parse(from) : from.getTime();
  return new Date(ms + secs * 1000);
}
