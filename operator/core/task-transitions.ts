import type { TaskPhase, TaskStatus } from '../api/dag-instance.ts';

/** What the operator sees or is asked for that moves a task (decide and operations). */
export const OPERATOR_EVENTS = [
  'Assigned',
  'PreAssigned',
  'PreAssignmentVoided',
  'NoWorkerForAction',
  'SkipCheckHeld',
  'BlockCheckHeld',
  'WorkerLost',
  'RetryAllowed',
  'RetryDue',
  'CancelRequested',
  'RetryRequested',
  'ContinueRequested',
  'SkipRequested',
  'RerunRequested',
  'DeadlineExceeded',
  'DagRevisionLost',
  'ScheduleToStartExpired',
  'HeartbeatExpired',
  'ActionLimit',
  'SystemDecided',
  'SystemFailed',
  'BranchNotTaken',
  'Terminated',
  'WaitStarted',
  'GrowthStarted',
  'SignalReceived',
  'ApprovalRejected',
  'ChildStarted',
  'ChildSucceeded',
  'ChildFailed',
] as const;
/** What a worker reports about its own attempt. */
export const WORKER_EVENTS = [
  'AttemptStarted',
  'AttemptBeat',
  'AttemptSucceeded',
  'AttemptFailed',
] as const;
export type OperatorEvent = (typeof OPERATOR_EVENTS)[number];
export type WorkerEvent = (typeof WORKER_EVENTS)[number];
export type TaskEvent = OperatorEvent | WorkerEvent;

export interface TaskTransition {
  /** The phases the event applies in; a task absent from status.tasks is Pending. */
  from: readonly TaskPhase[];
  to: TaskPhase;
  /** When it happens, for docs/task-states.md. */
  when: string;
}

/**
 * The task phase state machine: the one table both the operator and the
 * workers move tasks by, and docs/task-states.md shows. An event in a phase
 * its row does not list is refused. One operator pass may apply several rows
 * to a task in a row (a lost attempt is WorkerLost, then Assigned). Rows are
 * in the order a task meets them, as the doc shows them.
 */
export const TASK_TRANSITIONS: Readonly<Record<TaskEvent, TaskTransition>> = {
  Assigned: {
    from: ['Pending'],
    to: 'Scheduled',
    when: "ready (every parent `Succeeded` or `Skipped`, no preCheck holds): a live worker with the action gets attempt + 1: its parent's worker while that has room, else the workers already holding tasks of the instance first (worker-pool.ts)",
  },
  PreAssigned: {
    from: ['Pending'],
    to: 'Scheduled',
    when: 'the sole child of a task its worker holds, that task its only unfinished parent, no share-data preCheck, no vars preCheck holding and its action under no `--action-concurrency`/`--action-rate` limit: pre-assigned to the same worker (`after: <parent>@<attempt>`), which starts it in-process when the parent succeeds (up to `chainLookAhead` steps ahead)',
  },
  PreAssignmentVoided: {
    from: ['Scheduled'],
    to: 'Pending',
    when: 'pre-assigned, but the parent did not succeed at that attempt (failed, retried, canceled, or its worker was lost) or the instance was paused before it started (`reason: PreAssignmentVoided`, the attempt not counted toward `retry.limit`)',
  },
  NoWorkerForAction: {
    from: ['Pending'],
    to: 'Pending',
    when: 'ready, but no live worker has the action (`reason: NoWorkerForAction`)',
  },
  SkipCheckHeld: {
    from: ['Pending'],
    to: 'Skipped',
    when: 'ready, and a `skip` preCheck holds (checks run in a fixed order: a map by check name, a list in its order; the first that holds decides)',
  },
  BlockCheckHeld: {
    from: ['Pending'],
    to: 'Blocked',
    when: 'ready, and a `block` preCheck holds (not evaluated again once continued)',
  },
  ActionLimit: {
    from: ['Pending'],
    to: 'Pending',
    when: 'ready, but its action is at its `--action-concurrency` or `--action-rate` limit (`reason: ActionLimit`): placed as soon as the limit allows',
  },
  AttemptStarted: {
    from: ['Scheduled'],
    to: 'Running',
    when: 'the worker starts the action (its own attempt only)',
  },
  ScheduleToStartExpired: {
    from: ['Scheduled'],
    to: 'Failed',
    when: 'not reported Running within `scheduleToStartSecs` of its assignment, or of the parent succeeding when pre-assigned (`reason: ScheduleToStartTimeout`, retryable; the next attempt avoids that worker)',
  },
  AttemptBeat: {
    from: ['Running'],
    to: 'Running',
    when: 'the action called `ctx.heartbeat()` (its own attempt only; written at most every few seconds): `heartbeatAt` moves on',
  },
  HeartbeatExpired: {
    from: ['Running'],
    to: 'Failed',
    when: "no heartbeat within `heartbeatTimeoutSecs` (counted from the start, then from each beat, on the operator's clock; `reason: HeartbeatTimeout`, retryable)",
  },
  AttemptSucceeded: {
    from: ['Scheduled', 'Running'],
    to: 'Succeeded',
    when: 'the action returned (its own attempt only)',
  },
  AttemptFailed: {
    from: ['Scheduled', 'Running'],
    to: 'Failed',
    when: 'the action threw, timed out, was aborted, or its params or output were invalid (its own attempt only)',
  },
  WorkerLost: {
    from: ['Scheduled', 'Running'],
    to: 'Pending',
    when: "the worker's Lease expired or was released: the lost attempt goes to `history`, and the task is placed again at once",
  },
  RetryAllowed: {
    from: ['Failed'],
    to: 'Retrying',
    when: 'the reason is retryable and `attempt <= retry.limit`: the failed attempt goes to `history`',
  },
  RetryDue: {
    from: ['Retrying'],
    to: 'Pending',
    when: '`retryAt` has passed: the task is placed again at once',
  },
  CancelRequested: {
    from: ['Pending', 'Scheduled', 'Running', 'Retrying', 'Blocked'],
    to: 'Canceled',
    when: "a `cancel` operation (the whole instance, or the tasks named); a running action's signal is aborted",
  },
  RetryRequested: {
    from: ['Failed', 'Canceled'],
    to: 'Pending',
    when: 'a `retry` operation names it (or names none: all failed and canceled tasks)',
  },
  ContinueRequested: {
    from: ['Blocked'],
    to: 'Pending',
    when: 'a `continue` operation (`continued: true`): its block checks are not evaluated again, its skip checks are',
  },
  SkipRequested: {
    from: ['Pending', 'Blocked'],
    to: 'Skipped',
    when: 'a `skip` operation names it before it ran (`reason: SkipRequested`): its children may run',
  },
  RerunRequested: {
    from: ['Pending', 'Succeeded', 'Failed', 'Retrying', 'Skipped', 'Blocked', 'Canceled'],
    to: 'Pending',
    when: 'a `rerun` operation names it or a task before it, or a `restart` (every task): its attempt goes to `history`, it runs again with its checks',
  },
  DeadlineExceeded: {
    from: ['Pending', 'Scheduled', 'Running', 'Retrying', 'Blocked'],
    to: 'Failed',
    when: 'the instance ran past `spec.activeDeadlineSeconds` (`reason: DeadlineExceeded`, never retried); a task that was ready but not placed fails too',
  },
  DagRevisionLost: {
    from: ['Pending', 'Scheduled', 'Running', 'Retrying', 'Blocked'],
    to: 'Failed',
    when: 'the Dag snapshot the instance runs was deleted or cannot be read: the instance fails and its running attempts are aborted (`reason: DagRevisionLost`, never retried)',
  },
  SystemDecided: {
    from: ['Pending', 'Running'],
    to: 'Succeeded',
    when: "a system task (`type` other than `action`) is decided by the operator, on no worker: its output is recorded like an action's",
  },
  SystemFailed: {
    from: ['Pending', 'Running'],
    to: 'Failed',
    when: 'a system task could not be decided (`reason: SystemTaskFailed`, e.g. its switch expression failed); retried under its policy',
  },
  BranchNotTaken: {
    from: ['Pending'],
    to: 'Skipped',
    when: 'ready, and listed under a switch case that was not picked (`reason: BranchNotTaken`); its dependants follow the skip rule',
  },
  Terminated: {
    from: ['Pending', 'Scheduled', 'Running', 'Retrying', 'Blocked'],
    to: 'Canceled',
    when: "a terminate task ended the instance: unfinished tasks that hold or could get a worker are canceled (`reason: Terminated`); a running action's signal is aborted",
  },
  WaitStarted: {
    from: ['Pending'],
    to: 'Running',
    when: 'a ready `wait` or `approval` task starts waiting, on no worker (`reason: Waiting`)',
  },
  GrowthStarted: {
    from: ['Pending'],
    to: 'Running',
    when: 'a ready `forEach` or `loop` task starts its copies or its first iteration, on no worker: it ends when they have (see control-flow.md)',
  },
  SignalReceived: {
    from: ['Running'],
    to: 'Succeeded',
    when: 'a waiting task is approved (`reason: Approved`) or signaled (`reason: Signaled`, the payload is its output)',
  },
  ApprovalRejected: {
    from: ['Running'],
    to: 'Failed',
    when: 'a waiting `approval` task is rejected (`reason: Rejected`, never retried by its policy)',
  },
  ChildStarted: {
    from: ['Pending'],
    to: 'Running',
    when: 'a ready `subDag` task starts its child instance, on no worker (`reason: ChildRunning`)',
  },
  ChildSucceeded: {
    from: ['Running'],
    to: 'Succeeded',
    when: "a `subDag` task's child instance succeeded: its output is the task's",
  },
  ChildFailed: {
    from: ['Pending', 'Running'],
    to: 'Failed',
    when: "a `subDag` task's child failed or was canceled (`reason: ChildFailed`), its Dag is missing (`SubDagMissing`) or it nests too deep (`SubDagTooDeep`); retried under its policy with a new child",
  },
};

/** An event the table has no row for in the task's phase: a bug in the caller, never data. */
export class TaskTransitionRefused extends Error {
  readonly from: TaskPhase;
  readonly event: TaskEvent;

  constructor(from: TaskPhase, event: TaskEvent) {
    super(`task transition refused: ${event} in phase ${from}`);
    this.name = 'TaskTransitionRefused';
    this.from = from;
    this.event = event;
  }
}

/** Who sends an event: its worker (for its own attempt), or the operator. */
export function senderOf(event: TaskEvent): 'operator' | 'worker' {
  return (WORKER_EVENTS as readonly TaskEvent[]).includes(event) ? 'worker' : 'operator';
}

/** A task absent from status.tasks is Pending. */
export function phaseOf(entry: TaskStatus | undefined): TaskPhase {
  return entry?.phase ?? 'Pending';
}

/** Whether the table has a row for `event` in phase `from`. */
export function canApply(from: TaskPhase, event: TaskEvent): boolean {
  return TASK_TRANSITIONS[event].from.includes(from);
}

/** The phase `event` moves a task in `from` to; TaskTransitionRefused when it has no row. */
export function nextPhase(from: TaskPhase, event: TaskEvent): TaskPhase {
  if (!canApply(from, event)) throw new TaskTransitionRefused(from, event);
  return TASK_TRANSITIONS[event].to;
}

/**
 * The entry of a task after `event`: the given fields with the phase the
 * table gives (a phase among the fields, e.g. spread from the entry, is
 * replaced); `entry` undefined is an absent task.
 * Throws TaskTransitionRefused for an event its phase has no row for.
 */
export function transition(
  entry: TaskStatus | undefined,
  event: TaskEvent,
  fields: Omit<TaskStatus, 'phase'>,
): TaskStatus {
  return { ...fields, phase: nextPhase(phaseOf(entry), event) };
}
