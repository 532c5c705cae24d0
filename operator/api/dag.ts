import { z } from 'zod';
import { Conditions } from './common.ts';
import { DagLifecycle } from './lifecycle.ts';
import {
  ACTION_NAME_REQUIRED,
  SetVarsSpec,
  SwitchSpec,
  TaskType,
  TerminateSpec,
  taskTypeOf,
} from './task-types.ts';
import { ApprovalSpec, WaitSpec } from './waits.ts';
import { ForEachSpec, LoopSpec, OnExitSpec, OnFailureSpec, SubDagSpec } from './grown-tasks.ts';

/**
 * A task id: the key of the task in DagInstance.status.tasks and in JSON
 * Patch paths. Letters, digits, `-`, `_`, `.`; the characters `[`, `]`, `#`
 * and `/` are reserved for keys of tasks a DAG grows at run time
 * (docs/architecture.md, "Task keys").
 */
export const TaskId = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/,
    'must be letters, digits, "-", "_" or "." and start and end with a letter or digit',
  );

/** A var name: usable as `{{name}}` in templates. */
export const VAR_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_.-]*$';
export const VAR_NAME_RULE =
  'var names start with a letter or "_", then letters, digits, "_", "." or "-" (at most 63)';
export const VarName = z
  .string()
  .min(1)
  .max(63)
  .regex(new RegExp(VAR_NAME_PATTERN), 'must start with a letter or "_"');

export const VarDef = z.strictObject({
  desc: z.string().max(1024).optional(),
  defaultValue: z.string().max(8192).optional(),
});

const CheckName = z.string().min(1).max(63);

export const PreCheckCondition = z.strictObject({
  source: z.enum(['vars', 'share-data']),
  key: z.string().min(1).max(253),
  op: z.enum(['in', 'not-in', 'eq', 'ne', 'exists', 'not-exists']),
  values: z.array(z.string().max(1024)).max(64).optional(),
});

export const PreCheckRule = z.strictObject({
  act: z.enum(['skip', 'block']),
  conditions: z.array(PreCheckCondition).min(1).max(16),
});

/**
 * fastflow accepted preCheck as a map keyed by check name; its README showed a
 * list. Both shapes are accepted; the CRD keeps the field free-form because a
 * structural schema cannot say "map or list".
 */
export const PreCheck = z
  .union([
    z.record(CheckName, PreCheckRule),
    z.array(PreCheckRule.extend({ name: CheckName.optional() })).max(16),
  ])
  .meta({ 'x-kubernetes-preserve-unknown-fields': true });

/** Free-form action parameters (any YAML), validated by the action's own schema. */
export const Params = z
  .record(z.string(), z.unknown())
  .meta({ 'x-kubernetes-preserve-unknown-fields': true });

/**
 * Automatic retries of a failed attempt (fastflow had none: retries were
 * manual commands). Attempt n+1 starts `seconds * factor^(n-1)` seconds after
 * attempt n failed, at most `maxSeconds`.
 */
export const RetryPolicy = z.strictObject({
  limit: z.int().min(0).max(100).describe('Retries after the first attempt.'),
  backoff: z
    .strictObject({
      seconds: z.number().min(0).max(86400).default(1),
      factor: z.number().min(1).max(100).default(2),
      maxSeconds: z.number().min(0).max(86400).optional(),
    })
    .optional(),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

/**
 * The most tasks a Dag holds, and so a task depends on: as many as an
 * instance may hold (docs/architecture.md, "Any fan-in and fan-out"). A bare
 * count, checked at admission; no CEL rule iterates tasks or dependOn, since
 * the API server prices a rule by these bounds (what a rule would check here,
 * the operator and `kubectl fastflow lint` check instead).
 */
export const MAX_TASKS = 10_000;

/** A task's schedule-to-start or heartbeat timeout: at least a second, at most 7 days. */
const TimeoutSecs = z
  .int()
  .min(1)
  .max(7 * 24 * 3600);

export const TaskSpec = z
  .strictObject({
    id: TaskId,
    name: z.string().max(253).optional(),
    desc: z.string().max(1024).optional(),
    type: TaskType.optional(),
    actionName: z
      .string()
      .min(1)
      .max(253)
      .optional()
      .describe('The registered action that runs this task (required for type action).'),
    dependOn: z
      .array(TaskId)
      .max(MAX_TASKS)
      .optional()
      .describe('Ids of the tasks that must succeed (or be skipped) before this one runs.'),
    params: Params.optional(),
    timeoutSecs: z
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .optional()
      .describe('Per-attempt time limit from the moment the action starts; 0 or absent: none.'),
    preCheck: PreCheck.optional(),
    retry: RetryPolicy.optional(),
    optional: z
      .boolean()
      .optional()
      .describe("Its failure does not fail the instance; the instance's message names it."),
    switch: SwitchSpec.optional(),
    terminate: TerminateSpec.optional(),
    setVars: SetVarsSpec.optional(),
    wait: WaitSpec.optional(),
    approval: ApprovalSpec.optional(),
    forEach: ForEachSpec.optional(),
    loop: LoopSpec.optional(),
    subDag: SubDagSpec.optional(),
    scheduleToStartSecs: TimeoutSecs.optional().describe(
      'An attempt that no worker reports Running this long after it was assigned fails (ScheduleToStartTimeout) and is retried under `retry`, on another worker if there is one.',
    ),
    heartbeatTimeoutSecs: TimeoutSecs.optional().describe(
      'A running attempt whose action has not called ctx.heartbeat() for this long fails (HeartbeatTimeout) and is retried under `retry`.',
    ),
  })
  .superRefine((task, ctx) => {
    // Refined here rather than in the CRD (no CEL under tasks): the admission
    // policy says the same, and the operator, lint and migrate read this.
    if (taskTypeOf(task) === 'action' && task.actionName === undefined) {
      ctx.addIssue({ code: 'custom', path: ['actionName'], message: ACTION_NAME_REQUIRED });
    }
  });
export type TaskSpec = z.infer<typeof TaskSpec>;

/**
 * Dag.spec is fastflow's Dag document: a fastflow YAML body pasted under
 * `spec:` is accepted as it is (`id`, `cron`, `createdAt`, `updatedAt` are
 * kept for migration and not used: the object's name is the id).
 */
export const DagSpec = z.strictObject({
  id: z.string().max(253).optional(),
  name: z.string().max(253).optional(),
  desc: z.string().max(4096).optional(),
  cron: z.string().max(253).optional(),
  status: z.enum(['normal', 'stopped']).optional().describe('"stopped" refuses new instances.'),
  vars: z.record(VarName, VarDef).optional().meta({ maxProperties: 128 }),
  tasks: z
    .array(TaskSpec)
    .min(1)
    .max(MAX_TASKS)
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'] }),
  createdAt: z.int().optional(),
  updatedAt: z.int().optional(),
  maxRunningInstances: z
    .int()
    .min(1)
    .max(100_000)
    .optional()
    .describe(
      'At most this many instances of the Dag run at once; the others wait (phase Pending, reason WaitingForRunSlot) and start in order of priority, then creation, as slots free.',
    ),
  onFailure: OnFailureSpec.optional(),
  onExit: OnExitSpec.optional(),
  ...DagLifecycle.shape,
});
export type DagSpec = z.infer<typeof DagSpec>;

export const DagStatus = z.object({
  observedGeneration: z.int().min(0).optional(),
  valid: z.boolean().optional(),
  taskCount: z.int().min(0).optional(),
  message: z.string().max(32768).optional(),
  conditions: Conditions.optional(),
});
export type DagStatus = z.infer<typeof DagStatus>;
