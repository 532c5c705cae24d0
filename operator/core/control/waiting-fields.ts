import type { TaskSpec } from '../../api/dag.ts';
import { formatPath } from '../../api/field-path.ts';
import { taskTypeOf } from '../../api/task-types.ts';
import type { ControlProblem } from './decision.ts';

/**
 * Fields of an attempt on a worker, and why a task that waits on no worker
 * (wait, approval) never uses them: the worker enforces timeoutSecs, the
 * operator watches schedule-to-start and heartbeats only of a task a worker
 * holds, and a wait or approval never fails with a reason a retry applies to
 * (a rejection is final). Refused when the Dag is applied, not ignored.
 */
const WORKER_FIELDS = {
  timeoutSecs:
    'it limits an action on its worker; bound a wait with wait.duration or until, an instance with activeDeadlineSeconds',
  retry: 'a wait ends when its time comes or a signal arrives, and a rejected approval is final',
  scheduleToStartSecs: 'no worker is ever assigned to start it',
  heartbeatTimeoutSecs: 'no action runs to send heartbeats',
} as const satisfies Partial<Record<keyof TaskSpec, string>>;

/** The worker fields set on a wait or approval task, each a problem with its path. */
export function workerFieldsOfWaiting(task: TaskSpec, i: number): ControlProblem[] {
  const type = taskTypeOf(task);
  return Object.entries(WORKER_FIELDS)
    .filter(([field]) => task[field as keyof typeof WORKER_FIELDS] !== undefined)
    .map(([field, why]) => ({
      reason: 'FieldOfOtherType',
      path: formatPath(['spec', 'tasks', i, field]),
      message: `task "${task.id}" is of type ${type}: ${field} is for action tasks (${why})`,
    }));
}
