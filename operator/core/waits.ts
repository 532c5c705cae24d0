import type { TaskStatus } from '../api/dag-instance.ts';
import type { ApprovalSpec, WaitSpec } from '../api/waits.ts';
import { parseDuration } from './duration.ts';
import { transition } from './task-transitions.ts';

/**
 * When a wait task's wait ends by itself: its `until`, or its duration from
 * when it started waiting. Undefined: it waits for a signal. Read from the
 * spec and the status alone, so a new leader (or a restarted operator)
 * computes the same time and the wait never needs a poll or a sweep.
 */
export function waitEndsAt(
  spec: WaitSpec | undefined,
  startedAt: string | undefined,
): Date | undefined {
  if (spec?.until !== undefined) return new Date(spec.until);
  const ms = spec?.duration === undefined ? undefined : parseDuration(spec.duration);
  if (ms === undefined || startedAt === undefined) return undefined;
  return new Date(Date.parse(startedAt) + ms);
}

export type WaitingTask =
  | { type: 'wait'; spec: WaitSpec | undefined }
  | { type: 'approval'; spec: ApprovalSpec | undefined };

/**
 * A ready wait or approval task begins waiting: Running on no worker (it
 * holds no slot), its message saying what it waits for.
 */
export function startWaiting(
  task: WaitingTask,
  id: string,
  current: TaskStatus | undefined,
  now: Date,
): TaskStatus {
  const startedAt = now.toISOString();
  const ends = task.type === 'wait' ? waitEndsAt(task.spec, startedAt) : undefined;
  const message =
    task.type === 'approval'
      ? `waiting for approval${task.spec?.message ? `: ${task.spec.message}` : ''} ` +
        `(kubectl fastflow approve|reject <instance> ${id})`
      : ends
        ? `waiting until ${ends.toISOString()}`
        : `waiting for a signal (kubectl fastflow signal <instance> ${id} [PAYLOAD])`;
  return transition(current, 'WaitStarted', {
    attempt: (current?.attempt ?? 0) + 1,
    ...(current?.history ? { history: current.history } : {}),
    ...(current?.historyDropped ? { historyDropped: current.historyDropped } : {}),
    startedAt,
    reason: 'Waiting',
    message,
  });
}

/**
 * A waiting task as time finds it: a wait whose time has come is over
 * (Succeeded); otherwise unchanged, with the time to look again (none for
 * one that waits for a signal or an approval: the annotation wakes it).
 */
export function checkWait(
  task: WaitingTask,
  current: TaskStatus,
  now: Date,
): { entry: TaskStatus; wakeAt?: Date } {
  const ends = task.type === 'wait' ? waitEndsAt(task.spec, current.startedAt) : undefined;
  if (ends === undefined) return { entry: current };
  if (ends > now) return { entry: current, wakeAt: ends };
  const { reason: _waiting, ...rest } = current;
  const entry = transition(current, 'WaitOver', {
    ...rest,
    message: `waited until ${ends.toISOString()}`,
    finishedAt: now.toISOString(),
  });
  return { entry };
}
