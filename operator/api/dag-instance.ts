import { z } from 'zod';
import { Conditions, ObjectName, Timestamp } from './common.ts';
import { VarName } from './dag.ts';

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
        'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'vars are immutable' }],
      })
      .describe(
        'Values for the Dag vars; each overrides the default (an empty string is a value).',
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

/**
 * One task's state. Absent from status.tasks means Pending with nothing to
 * say: the map stays sparse so a 2,000-task instance does not start large.
 * The operator writes the scheduling fields; the assigned worker writes
 * phase Running/Succeeded/Failed of its own attempt only (a JSON Patch whose
 * `test` ops fence it to worker and attempt).
 */
export const TaskStatus = z.object({
  phase: TaskPhase,
  worker: z.string().max(253).optional(),
  attempt: z.int().min(1).optional(),
  scheduledAt: Timestamp.optional(),
  startedAt: Timestamp.optional(),
  finishedAt: Timestamp.optional(),
  reason: z.string().max(128).optional(),
  message: z.string().max(4096).optional(),
});
export type TaskStatus = z.infer<typeof TaskStatus>;

export const INSTANCE_PHASES = [
  'Pending',
  'Running',
  'Blocked',
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
  message: z.string().max(32768).optional(),
  tasks: z
    .record(z.string().max(253), TaskStatus)
    .optional()
    .meta({ maxProperties: 10000 })
    .describe('State of each task that has left Pending or has something to say, by task key.'),
  conditions: Conditions.optional(),
});
export type DagInstanceStatus = z.infer<typeof DagInstanceStatus>;
