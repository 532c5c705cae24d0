import { z } from 'zod';
import { ObjectMeta } from './common.ts';
import { appendPath } from './field-path.ts';
import { DagSpec, DagStatus } from './dag.ts';
import { DagInstanceSpec, DagInstanceStatus } from './dag-instance.ts';
import { DagScheduleSpec, DagScheduleStatus } from './dag-schedule.ts';
import { API_VERSION, DAG, DAG_INSTANCE, DAG_SCHEDULE, TASK_RESULT, TASK_SHARD } from './names.ts';
import { TaskResultSpec } from './task-result.ts';
import { TaskShardSpec } from './task-shard.ts';

/** The whole Dag object as read from the API server. */
export const Dag = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(DAG.kind),
  metadata: ObjectMeta,
  spec: DagSpec,
  status: DagStatus.optional(),
});
export type Dag = z.infer<typeof Dag>;

/** The whole DagInstance object as read from the API server. */
export const DagInstance = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(DAG_INSTANCE.kind),
  metadata: ObjectMeta,
  spec: DagInstanceSpec,
  status: DagInstanceStatus.optional(),
});
export type DagInstance = z.infer<typeof DagInstance>;

/** The whole DagSchedule object as read from the API server. */
export const DagSchedule = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(DAG_SCHEDULE.kind),
  metadata: ObjectMeta,
  spec: DagScheduleSpec,
  status: DagScheduleStatus.optional(),
});
export type DagSchedule = z.infer<typeof DagSchedule>;

/** A worker's results for one instance (written by that worker only). */
export const TaskResult = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(TASK_RESULT.kind),
  metadata: ObjectMeta,
  spec: TaskResultSpec,
});
export type TaskResult = z.infer<typeof TaskResult>;

/** Finished task entries of one instance (written once by the operator, never changed). */
export const TaskShard = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(TASK_SHARD.kind),
  metadata: ObjectMeta,
  spec: TaskShardSpec,
});
export type TaskShard = z.infer<typeof TaskShard>;

/**
 * The Dag snapshot an instance runs, stored in an immutable ControllerRevision
 * (`data`) named after the Dag and a hash of its spec, shared by every instance
 * started from the same spec.
 */
export const DagSnapshot = z.object({
  dag: z.string(),
  generation: z.int().min(0),
  spec: DagSpec,
});
export type DagSnapshot = z.infer<typeof DagSnapshot>;

/** A zod error as one line per problem, each naming its field path (`formatPath`) under `root`. */
export function describeZodError(error: z.ZodError, root = ''): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.reduce<string>(appendPath, root);
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
