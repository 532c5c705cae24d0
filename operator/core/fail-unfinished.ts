import type { TaskStatus } from '../api/dag-instance.ts';
import type { TaskReason } from '../api/task-reason.ts';
import { canApply, transition, type OperatorEvent } from './task-transitions.ts';

/** Why an instance stops its unfinished tasks: the row of the table, and what the task says. */
export interface Stop {
  event: Extract<OperatorEvent, 'DeadlineExceeded' | 'DagRevisionLost' | 'Terminated'>;
  reason: Extract<TaskReason, 'DeadlineExceeded' | 'DagRevisionLost' | 'Terminated'>;
  message: string;
}

/** Past spec.activeDeadlineSeconds: what stops the tasks, and what refuses every operation. */
export const DEADLINE_STOP: Stop = {
  event: 'DeadlineExceeded',
  reason: 'DeadlineExceeded',
  message: 'the instance ran past its activeDeadlineSeconds',
};

/**
 * Stops (fails, or cancels when a terminate task ended the instance) every task of `ids` that is unfinished (waiting, placed, running,
 * waiting to be retried or blocked), and those that `ready` says could
 * start: the instance has stopped, so nothing may run or hold a worker any
 * more. Tasks that never became ready stay as they are. Finished tasks are
 * never touched, so applying it again changes nothing.
 */
export function failUnfinished(
  tasks: Readonly<Record<string, TaskStatus>>,
  ids: readonly string[],
  stop: Stop,
  now: Date,
  ready: (id: string, tasks: Readonly<Record<string, TaskStatus>>) => boolean = () => false,
): Record<string, TaskStatus> {
  const next = { ...tasks };
  for (const id of ids) {
    const entry = next[id];
    if (entry ? canApply(entry.phase, stop.event) : ready(id, next)) {
      next[id] = transition(entry, stop.event, {
        ...entry,
        reason: stop.reason,
        message: stop.message,
        finishedAt: now.toISOString(),
      });
    }
  }
  return next;
}
