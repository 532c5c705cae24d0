import { z } from 'zod';

/** The reasons a worker gives for an attempt that failed. */
const ATTEMPT_FAILURES = [
  'ActionFailed',
  'NonRetryable',
  'InvalidParams',
  'OutputTooLarge',
  'TimedOut',
  'Aborted',
  'ResultRefused',
] as const;

/** Why a task is in its phase, or why an attempt of it ended: a closed set (metrics, docs). */
export const TaskReason = z
  .enum([
    ...ATTEMPT_FAILURES,
    'NoWorkerForAction',
    'PreCheck',
    'WorkerLost',
    'Canceled',
    'SkipRequested',
    'DeadlineExceeded',
    'DagRevisionLost',
    'PreAssignmentVoided',
    'ScheduleToStartTimeout',
    'HeartbeatTimeout',
    'ActionLimit',
    'BranchNotTaken',
    'SystemTaskFailed',
    'Terminated',
    'Waiting',
    'Signaled',
    'Approved',
    'Rejected',
    'FanOutTooLarge',
    'GrownTaskFailed',
    'LoopLimitReached',
    'ChildRunning',
    'ChildFailed',
    'SubDagMissing',
    'SubDagTooDeep',
  ])
  .describe('Why the task is in its phase, or why the attempt ended (see docs/task-states.md).');
export type TaskReason = z.infer<typeof TaskReason>;

export const AttemptFailureReason = TaskReason.extract(ATTEMPT_FAILURES);
export type AttemptFailureReason = z.infer<typeof AttemptFailureReason>;

export interface TaskReasonInfo {
  /** For a reason a Failed task carries: whether its retry policy may try it again. */
  retryable?: boolean;
  /** One line for docs/task-states.md. */
  description: string;
}

/** What each reason means; docs/task-states.md is generated from this. */
export const TASK_REASON_INFO: Readonly<Record<TaskReason, TaskReasonInfo>> = {
  ActionFailed: {
    retryable: true,
    description:
      'the action threw, or could not start (its action is not registered on the worker, the Dag snapshot or share data could not be read)',
  },
  NonRetryable: {
    retryable: false,
    description: 'the action threw a `NonRetryableError`, or returned a value that is not JSON',
  },
  InvalidParams: {
    retryable: false,
    description:
      "the params did not pass the action's schema, or their templates (vars, share data, upstream outputs) did not render",
  },
  OutputTooLarge: {
    retryable: false,
    description:
      "the action returned more JSON than the worker's `maxOutputBytes` (8 KiB by default)",
  },
  TimedOut: {
    retryable: true,
    description: 'the action ran longer than `timeoutSecs`, counted from its start',
  },
  Aborted: {
    retryable: true,
    description:
      "the attempt's signal was aborted: the task was canceled or taken away, or the worker stopped or lost its Lease",
  },
  ResultRefused: {
    retryable: false,
    description:
      'the API server refused to store the result (the message quotes it: e.g. an output over the limit of the TaskResult schema)',
  },
  NoWorkerForAction: {
    description: 'ready, but no live worker has the action (the message names it)',
  },
  PreCheck: {
    description: 'a preCheck held when the task became ready: skipped or blocked',
  },
  WorkerLost: {
    description:
      'the worker holding the attempt lost its Lease (in `history`: the attempt was given to another worker)',
  },
  Canceled: {
    retryable: false,
    description: 'canceled by a `cancel` operation',
  },
  SkipRequested: {
    description: 'skipped by a `skip` operation before it ran',
  },
  DeadlineExceeded: {
    retryable: false,
    description: 'the instance ran past `spec.activeDeadlineSeconds`',
  },
  DagRevisionLost: {
    retryable: false,
    description:
      'the Dag snapshot the instance runs (`status.dagRevision`) was deleted or cannot be read: the instance failed, and with it every unfinished task',
  },
  PreAssignmentVoided: {
    description:
      'pre-assigned behind its parent on the same worker, but the parent did not succeed at that attempt (it failed, or its worker was lost), or the instance was paused: back to Pending, the attempt not counted',
  },
  ScheduleToStartTimeout: {
    retryable: true,
    description:
      "no worker reported the attempt Running within the task's `scheduleToStartSecs` of its assignment (the next attempt goes to another worker if there is one)",
  },
  HeartbeatTimeout: {
    retryable: true,
    description:
      "the running action did not call `ctx.heartbeat()` within the task's `heartbeatTimeoutSecs`",
  },
  ActionLimit: {
    description:
      'ready, but its action is at a cluster-wide limit of the operator (`--action-concurrency`: as many running at once as allowed; `--action-rate`: as many started lately as allowed; the message says which); it starts as soon as the limit allows',
  },
  BranchNotTaken: {
    description: 'listed under a case of a switch that picked another case (or was skipped)',
  },
  SystemTaskFailed: {
    retryable: true,
    description:
      'a system task could not be decided (a switch expression failed to evaluate, setVars values did not render or fit)',
  },
  Terminated: {
    retryable: false,
    description: 'a terminate task ended the instance while this task was unfinished',
  },
  Waiting: {
    description:
      'a `wait` or `approval` task waits (Running, no worker): for its time, or for a signal (the message says which)',
  },
  Signaled: { description: 'a `wait` task ended by a signal: its payload is the output' },
  Approved: { description: 'an `approval` task approved: the output says by whom and when' },
  Rejected: {
    retryable: false,
    description: 'an `approval` task rejected: the message and output say by whom and when',
  },
  FanOutTooLarge: {
    retryable: false,
    description:
      "a `forEach` task's items are more than its `maxItems` (the message names the count and the bound): no copy ran",
  },
  GrownTaskFailed: {
    retryable: false,
    description:
      'a copy of a `forEach` task, or a body task of a loop iteration, failed after its retries (the message names it): copies or iterations not yet started do not start',
  },
  LoopLimitReached: {
    retryable: false,
    description: 'a loop ran `maxIterations` iterations and its `while` condition still held',
  },
  ChildRunning: {
    description:
      'a `subDag` task runs its child DagInstance (Running, no worker; the message names the child)',
  },
  ChildFailed: {
    retryable: true,
    description:
      "a `subDag` task's child instance ended Failed or Canceled (the message quotes its reason); a retry runs a new child",
  },
  SubDagMissing: {
    retryable: true,
    description:
      "a `subDag` task's `dagName` names no Dag in the namespace (a retry looks again), or its vars did not render",
  },
  SubDagTooDeep: {
    retryable: false,
    description:
      'a `subDag` task would nest children deeper than 10 levels (a Dag that runs itself, directly or through others)',
  },
};
