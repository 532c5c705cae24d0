import type { TaskSpec } from '../../api/dag.ts';
import type { TaskStatus } from '../../api/dag-instance.ts';
import { formatPath } from '../../api/field-path.ts';
import { MAX_WAIT_MS, type ApprovalSpec, type WaitSpec } from '../../api/waits.ts';
import { parseDuration } from '../duration.ts';
import { transition } from '../task-transitions.ts';
import type { ControlContext, ControlDecision, ControlProblem, ControlType } from './decision.ts';
import { workerFieldsOfWaiting } from './waiting-fields.ts';

/**
 * `type: wait` and `type: approval`: tasks that wait, decided by the
 * operator on no worker. Ready, they become Running (`reason: Waiting`);
 * a wait ends by itself when its time comes (the pass's wakeAt, never a
 * poll), and either ends by a signal (signals.ts, through the operations
 * path: fastflow.io/signal, acted on once).
 */
export const waitType: ControlType = {
  decide: (ctx) => started(ctx, { type: 'wait', spec: ctx.spec.wait }),
  waiting: (ctx, current) =>
    decision(checkWait({ type: 'wait', spec: ctx.spec.wait }, current, ctx.now)),
  validate(task: TaskSpec, i: number): ControlProblem[] {
    const path = (field: string) => formatPath(['spec', 'tasks', i, 'wait', field]);
    const spec = task.wait;
    const fields = workerFieldsOfWaiting(task, i);
    if (spec?.duration !== undefined && spec.until !== undefined) {
      const message = `task "${task.id}": wait takes duration or until, not both (neither: wait for a signal)`;
      return [...fields, { reason: 'InvalidWait', path: path('until'), message }];
    }
    const ms = spec?.duration === undefined ? undefined : parseDuration(spec.duration);
    if (ms !== undefined && ms > MAX_WAIT_MS) {
      const message = `task "${task.id}": wait.duration ${spec?.duration} is longer than 366 days`;
      return [...fields, { reason: 'InvalidWait', path: path('duration'), message }];
    }
    return fields;
  },
};

export const approvalType: ControlType = {
  decide: (ctx) => started(ctx, { type: 'approval', spec: ctx.spec.approval }),
  validate: workerFieldsOfWaiting,
};

/** The ready task starts waiting; a wait whose time has already come ends in the same pass. */
function started(ctx: ControlContext, task: WaitingTask): ControlDecision {
  const entry = startWaiting(task, ctx.id, ctx.from, ctx.attempt, ctx.now);
  return decision(checkWait(task, entry, ctx.now));
}

function decision(checked: { entry: TaskStatus; wakeAt?: Date }): ControlDecision {
  return { entry: checked.entry, ...(checked.wakeAt ? { wakeAt: checked.wakeAt } : {}) };
}

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
  attempt: number,
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
    attempt,
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
  const entry = transition(current, 'SystemDecided', {
    ...rest,
    message: `waited until ${ends.toISOString()}`,
    finishedAt: now.toISOString(),
  });
  return { entry };
}
