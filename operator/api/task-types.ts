import { z } from 'zod';

/**
 * What a task is. `action` (the default) runs an action on a worker; every
 * other type is a system task the operator decides itself, holding no worker
 * slot (operator/core/control/). A new type adds its name here, its spec field
 * to TaskSpec, and its file to operator/core/control/.
 */
export const TASK_TYPES = [
  'action',
  'switch',
  'terminate',
  'setVars',
  'wait',
  'approval',
  'loop',
  'subDag',
] as const;
export const TaskType = z
  .enum(TASK_TYPES)
  .describe(
    'action (default): runs actionName on a worker; the others are decided by the operator.',
  );
export type TaskType = z.infer<typeof TaskType>;

/** The type of a task spec: absent is `action`. */
export function taskTypeOf(task: { type?: TaskType | undefined }): TaskType {
  return task.type ?? 'action';
}

/** What is said of an action task without actionName (schema, admission policy, lint). */
export const ACTION_NAME_REQUIRED = `required for a task of type action (the default); a system task says its type (${TASK_TYPES.filter((t) => t !== 'action').join(', ')})`;

/** A CEL expression, type-checked when the Dag is applied. */
export const CelExpression = z.string().min(1).max(4096);

/** Branch names: what the switch expression returns, as the key of a case. */
const CaseName = z.string().min(1).max(63);
const BranchTasks = z.array(z.string().min(1).max(63)).max(1000);

/**
 * `type: switch`: its expression picks one case; the tasks listed under the
 * other cases (and under `default` unless it is picked) are Skipped.
 */
export const SwitchSpec = z.strictObject({
  expression: CelExpression.describe(
    'CEL over vars, shareData and tasks (upstream outputs); its value (string, int or bool) names the case.',
  ),
  cases: z
    .record(CaseName, BranchTasks)
    .meta({ maxProperties: 64 })
    .describe('Case name -> ids of the tasks of that branch (every one depends on the switch).'),
  default: BranchTasks.optional().describe('The tasks run when no case matches.'),
});
export type SwitchSpec = z.infer<typeof SwitchSpec>;

/** Largest JSON output a terminate task gives its instance. */
export const MAX_TERMINATE_OUTPUT_BYTES = 8192;

/** `type: terminate`: ends the instance at once; running tasks are canceled. */
export const TerminateSpec = z.strictObject({
  phase: z.enum(['Succeeded', 'Failed']).describe('The phase the instance ends in.'),
  reason: z.string().max(1024).optional().describe('Said in the instance message and condition.'),
  output: z
    .unknown()
    .optional()
    .meta({ 'x-kubernetes-preserve-unknown-fields': true })
    .describe('The instance output (templates rendered; JSON, at most 8 KiB).'),
});
export type TerminateSpec = z.infer<typeof TerminateSpec>;

/** Most vars one setVars task sets, and the most bytes of all values set on an instance. */
export const MAX_SET_VARS = 32;
export const MAX_SET_VARS_BYTES = 16384;

/** `type: setVars`: gives declared vars new values (templates rendered) for the tasks after it. */
export const SetVarsSpec = z
  .record(z.string().min(1).max(63), z.string().max(8192))
  .meta({ maxProperties: MAX_SET_VARS })
  .describe('Declared var -> new value (templates rendered); later tasks read the new value.');
export type SetVarsSpec = z.infer<typeof SetVarsSpec>;
