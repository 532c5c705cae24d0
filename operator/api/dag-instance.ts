import { z } from 'zod';
import { Conditions, ObjectName, Timestamp } from './common.ts';
import { ControlStatusFields } from './control-status.ts';
import { GrownTaskFields } from './grown-tasks.ts';
import { VAR_NAME_PATTERN, VAR_NAME_RULE, VarName } from './dag.ts';
import { TtlSecondsAfterFinished } from './lifecycle.ts';
import { TaskReason } from './task-reason.ts';

/**
 * A map key's pattern is not in the structural schema: without this rule a
 * bad var name would pass admission and the instance never start.
 */
export const VAR_KEYS_RULE = {
  rule: `self.all(k, size(k) <= 63 && k.matches('${VAR_NAME_PATTERN}'))`,
  message: VAR_NAME_RULE,
};

export const DagInstanceSpec = z
  .strictObject({
    dagRef: z.strictObject({ name: ObjectName }).meta({
      'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'dagRef is immutable' }],
    }),
    vars: z
      .record(VarName, z.string().max(8192))
      .optional()
      .meta({
        maxProperties: 128,
        'x-kubernetes-validations': [
          { rule: 'self == oldSelf', message: 'vars are immutable' },
          VAR_KEYS_RULE,
        ],
      })
      .describe(
        'Values for the Dag vars; each overrides the default (an empty string is a value).',
      ),
    activeDeadlineSeconds: z
      .int()
      .min(1)
      .max(365 * 24 * 3600)
      .optional()
      .describe('The instance fails (DeadlineExceeded) if unfinished this long after it started.'),
    ttlSecondsAfterFinished: TtlSecondsAfterFinished.optional(),
    priority: z
      .int()
      .min(-1000)
      .max(1000)
      .optional()
      .describe(
        'Among instances waiting for a run slot of their Dag (maxRunningInstances), higher starts first; default 0.',
      ),
  })
  .meta({
    // The rules on dagRef and vars run only when old and new both have the
    // field: this one also refuses adding or removing vars.
    'x-kubernetes-validations': [
      {
        rule: 'has(self.vars) == has(oldSelf.vars)',
        message: 'vars are immutable',
        fieldPath: '.vars',
      },
    ],
  });
export type DagInstanceSpec = z.infer<typeof DagInstanceSpec>;

export const TASK_PHASES = [
  'Pending',
  'Scheduled',
  'Running',
  'Succeeded',
  'Failed',
  'Retrying',
  'Skipped',
  'Blocked',
  'Canceled',
] as const;
export const TaskPhase = z.enum(TASK_PHASES);
export type TaskPhase = z.infer<typeof TaskPhase>;

/** Phases after which a task attempt never changes again. */
export const TERMINAL_TASK_PHASES: ReadonlySet<TaskPhase> = new Set([
  'Succeeded',
  'Failed',
  'Skipped',
  'Canceled',
]);
/** Phases in which a task holds a worker. */
export const ACTIVE_TASK_PHASES: ReadonlySet<TaskPhase> = new Set(['Scheduled', 'Running']);

/** One finished attempt of a task, kept when the task is tried again. */
export const AttemptRecord = z.object({
  attempt: z.int().min(1),
  worker: z.string().max(253).optional(),
  phase: TaskPhase,
  startedAt: Timestamp.optional(),
  finishedAt: Timestamp.optional(),
  reason: TaskReason.optional(),
  message: z.string().max(1024).optional(),
});
export type AttemptRecord = z.infer<typeof AttemptRecord>;

/** Attempt records kept per task: the newest, with a count of the older ones dropped. */
export const MAX_HISTORY = 3;

/**
 * One task's state. Absent from status.tasks means Pending with nothing to
 * say: the map stays sparse so a 2,000-task instance does not start large.
 * The operator is its only writer: the assigned worker's reports
 * (Running/Succeeded/Failed of its own attempt) reach it through the
 * worker's TaskResult, folded in only for the attempt still current.
 */
export const TaskStatus = z.object({
  phase: TaskPhase,
  worker: z.string().max(253).optional(),
  attempt: z.int().min(1).optional(),
  scheduledAt: Timestamp.optional(),
  startedAt: Timestamp.optional(),
  finishedAt: Timestamp.optional(),
  reason: TaskReason.optional(),
  message: z.string().max(1024).optional(),
  retryAt: Timestamp.optional().describe('When a Retrying task becomes ready again.'),
  output: z
    .unknown()
    .optional()
    .describe('What the action returned (JSON, inline up to 1 KiB): read by downstream templates.'),
  params: z
    .unknown()
    .optional()
    .describe('The params this attempt ran with, when templates made them differ from the Dag.'),
  outputRef: ObjectName.optional().describe(
    'The ConfigMap holding the output when it is above the inline bound (key `output`).',
  ),
  paramsRef: ObjectName.optional().describe(
    'The ConfigMap holding the recorded params when they are above the inline bound (key `params`).',
  ),
  continued: z
    .boolean()
    .optional()
    .describe('Continued after a block: its block checks are not evaluated again.'),
  history: z.array(AttemptRecord).max(MAX_HISTORY).optional(),
  historyDropped: z.int().min(0).optional(),
  after: z
    .string()
    .max(300)
    .optional()
    .describe(
      'Pre-assigned: the attempt key (`<task>@<attempt>`) of its parent on the same worker, which starts it in-process once that attempt succeeds.',
    ),
  afterCase: z
    .object({ switch: z.string().max(63), cases: z.array(z.string().max(63)).max(65) })
    .optional()
    .describe(
      'Pre-assigned behind a switch: it starts only if that switch (the sole child of `after`) picks one of `cases`.',
    ),
  voided: z
    .int()
    .min(0)
    .optional()
    .describe(
      'Attempt numbers spent on pre-assignments voided before they started: not counted toward `retry.limit`.',
    ),
  heartbeats: z
    .int()
    .min(0)
    .optional()
    .describe('Heartbeats of the running attempt folded so far.'),
  heartbeatAt: Timestamp.optional().describe(
    "When the operator saw the attempt's last heartbeat (or its start), on its own clock.",
  ),
  ...GrownTaskFields,
});
export type TaskStatus = z.infer<typeof TaskStatus>;

export const INSTANCE_PHASES = [
  'Pending',
  'Running',
  'Blocked',
  'Paused',
  'Succeeded',
  'Failed',
  'Canceled',
] as const;
export const InstancePhase = z.enum(INSTANCE_PHASES);
export type InstancePhase = z.infer<typeof InstancePhase>;
export const TERMINAL_INSTANCE_PHASES: ReadonlySet<InstancePhase> = new Set([
  'Succeeded',
  'Failed',
  'Canceled',
]);
/** Whether an instance has finished: a phase it leaves only when an operation reopens it. */
export function instanceFinished(
  phase: string | undefined,
): phase is 'Succeeded' | 'Failed' | 'Canceled' {
  return phase !== undefined && (TERMINAL_INSTANCE_PHASES as ReadonlySet<string>).has(phase);
}

/** Longest operation annotation value acted on; a longer one is refused (and recorded shortened). */
export const MAX_OPERATION_VALUE = 1024;
/** Longest message of an operation record. */
export const MAX_OPERATION_MESSAGE = 4096;
/** Values of one operation annotation remembered besides the last: set again, one is refused. */
export const MAX_EARLIER_OPERATIONS = 16;

/** What became of the last value of one operation annotation (fastflow.io/cancel, retry, ...). */
export const OperationRecord = z.object({
  value: z.string().max(MAX_OPERATION_VALUE),
  result: z.enum(['Applied', 'Refused']),
  message: z.string().max(MAX_OPERATION_MESSAGE),
  at: Timestamp,
  by: z
    .string()
    .max(253)
    .optional()
    .describe('Who sent it (a signal: fastflow.io/signal-by, checked at admission).'),
  earlier: z
    .array(z.string().max(MAX_OPERATION_VALUE))
    .max(MAX_EARLIER_OPERATIONS)
    .optional()
    .describe(
      'Values of this annotation acted on before `value`, newest first: one set again is refused, never acted on twice.',
    ),
});
export type OperationRecord = z.infer<typeof OperationRecord>;

export const DagInstanceStatus = z.object({
  phase: InstancePhase.optional(),
  observedGeneration: z.int().min(0).optional(),
  dagRevision: z
    .string()
    .max(253)
    .optional()
    .describe('The ControllerRevision holding the Dag snapshot this instance runs.'),
  startTime: Timestamp.optional(),
  finishTime: Timestamp.optional(),
  duration: z
    .string()
    .max(32)
    .optional()
    .describe('Wall time from start to finish, once finished.'),
  progress: z.string().max(32).optional().describe('Finished tasks / all tasks, e.g. "3/5".'),
  counts: z
    .partialRecord(TaskPhase, z.int().min(0))
    .optional()
    .describe('Tasks by phase, wherever their entries live (status.tasks or shards).'),
  shards: z
    .int()
    .min(0)
    .optional()
    .describe(
      'TaskShards <instance>-s0 … s<shards-1> hold the finished entries moved out of tasks.',
    ),
  message: z.string().max(32768).optional(),
  // Atomic: managedFields records the map as one field, not every entry's (docs/architecture.md,
  // "The bound holds for the whole object"); the same holds for TaskResult and TaskShard maps.
  tasks: z
    .record(z.string().max(253), TaskStatus)
    .optional()
    .meta({ maxProperties: 10000, 'x-kubernetes-map-type': 'atomic' })
    .describe('State of each task that has left Pending or has something to say, by task key.'),
  conditions: Conditions.optional(),
  pausedAt: Timestamp.optional().describe(
    'Set by a pause operation, cleared by resume: running tasks finish, nothing new starts.',
  ),
  rerunVars: z
    .record(VarName, z.string().max(8192))
    .optional()
    .meta({ maxProperties: 128 })
    .describe(
      'Vars given by rerun operations (spec.vars are immutable): they override spec.vars from then on; a restart clears them.',
    ),
  ...ControlStatusFields,
  onFailureInstance: ObjectName.optional().describe(
    "The instance of the Dag's onFailure started for this failed one.",
  ),
  onExitInstance: ObjectName.optional().describe(
    "The instance of the Dag's onExit started when this one ended.",
  ),
  operations: z
    .object({
      cancel: OperationRecord.optional(),
      retry: OperationRecord.optional(),
      continue: OperationRecord.optional(),
      signal: OperationRecord.optional(),
      skip: OperationRecord.optional(),
      rerun: OperationRecord.optional(),
      restart: OperationRecord.optional(),
      pause: OperationRecord.optional(),
      resume: OperationRecord.optional(),
    })
    .optional()
    .describe('The operation annotations already acted on, each exactly once.'),
});
export type DagInstanceStatus = z.infer<typeof DagInstanceStatus>;
