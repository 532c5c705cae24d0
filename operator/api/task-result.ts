import { z } from 'zod';
import { ObjectName, Timestamp } from './common.ts';
import { MAX_INLINE_VALUE_BYTES } from './attempt-data.ts';
import { TaskPhase } from './dag-instance.ts';
import { TaskReason } from './task-reason.ts';

/** The phases a worker reports for its own attempt (see TASK_TRANSITIONS). */
export const ReportedPhase = TaskPhase.extract(['Running', 'Succeeded', 'Failed']);
export type ReportedPhase = z.infer<typeof ReportedPhase>;

/** Longest message a result carries, as in a task's status entry. */
export const MAX_RESULT_MESSAGE = 1024;

/**
 * What a worker says about one attempt it runs. Output and params travel as
 * JSON text so that the API server itself bounds them: a result over the
 * bound is refused (422) instead of growing the object. Values above the
 * worker's inline bound are stored first in the attempt's data object and
 * travel as its name (`outputRef`, `paramsRef`).
 */
export const AttemptResult = z.strictObject({
  phase: ReportedPhase,
  startedAt: Timestamp.optional(),
  finishedAt: Timestamp.optional(),
  reason: TaskReason.optional(),
  message: z.string().max(MAX_RESULT_MESSAGE).optional(),
  output: z
    .string()
    .max(MAX_INLINE_VALUE_BYTES)
    .optional()
    .describe('What the action returned, as JSON text.'),
  params: z
    .string()
    .max(MAX_INLINE_VALUE_BYTES)
    .optional()
    .describe('The params the attempt ran with, as JSON text, when templates changed them.'),
  outputRef: ObjectName.optional().describe('The attempt data object holding a larger output.'),
  paramsRef: ObjectName.optional().describe('The attempt data object holding larger params.'),
  heartbeats: z
    .int()
    .min(1)
    .optional()
    .describe('Heartbeats the action has sent (ctx.heartbeat()), counted by the worker.'),
});
export type AttemptResult = z.infer<typeof AttemptResult>;

/** Unfolded results one object may hold; a worker holds back reports beyond it. */
export const MAX_RESULTS_PER_OBJECT = 1024;
/** The bytes of results one object may hold (under the 256 KiB object bound, with its metadata). */
export const MAX_RESULT_BYTES = 200 * 1024;

export const TaskResultSpec = z.strictObject({
  instance: ObjectName.describe('The DagInstance the results belong to.'),
  worker: z.string().min(1).max(253).describe('The worker that ran the attempts.'),
  results: z
    .record(z.string().max(300), AttemptResult)
    .meta({ maxProperties: MAX_RESULTS_PER_OBJECT, 'x-kubernetes-map-type': 'atomic' })
    .describe('By attempt key <task>@<attempt>: the newest report of each attempt not yet folded.'),
});
export type TaskResultSpec = z.infer<typeof TaskResultSpec>;

/** `build@2`: attempt 2 of task `build` (`@` never appears in a task key). */
export function attemptKey(task: string, attempt: number): string {
  return `${task}@${attempt}`;
}

/** The task and attempt of an attempt key; undefined for a malformed one. */
export function parseAttemptKey(key: string): { task: string; attempt: number } | undefined {
  const at = key.lastIndexOf('@');
  const attempt = Number(key.slice(at + 1));
  if (at <= 0 || !Number.isInteger(attempt) || attempt < 1) return undefined;
  return { task: key.slice(0, at), attempt };
}
