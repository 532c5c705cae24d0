import { z } from 'zod';
import { CelExpression } from './task-types.ts';

/**
 * What a DAG grows at run time: dynamic fan-out (Conductor's
 * FORK_JOIN_DYNAMIC), loops (DO_WHILE) and sub-DAGs (SUB_WORKFLOW), and the
 * keys of the tasks they add (docs/architecture.md, "Task keys"). The shapes
 * live here so that the operator, lint, simulate and `fastflow migrate` read
 * one definition; what each does is in operator/core/control/.
 */

/** Most copies one fan-out makes, and the default bound when a task names none. */
export const MAX_FANOUT_ITEMS = 10_000;
/** Copies of one fan-out that run at once when the task says nothing. */
export const DEFAULT_FANOUT_CONCURRENCY = 100;

/**
 * `forEach` on an action or subDag task: the task runs once per item of a
 * list known only at run time, as `id[0]`, `id[1]`, … (`{{item}}` and
 * `{{itemIndex}}` in its params); tasks that depend on it wait for every
 * copy, and its output is the copies' outputs in item order.
 */
export const ForEachSpec = z.strictObject({
  items: CelExpression.describe(
    'CEL over vars, shareData and tasks (upstream outputs) giving the list (or a JSON string of one); one copy per item.',
  ),
  maxConcurrency: z
    .int()
    .min(1)
    .max(MAX_FANOUT_ITEMS)
    .optional()
    .describe(`Copies running at once (default ${DEFAULT_FANOUT_CONCURRENCY}).`),
  maxItems: z
    .int()
    .min(0)
    .max(MAX_FANOUT_ITEMS)
    .optional()
    .describe(
      `More items than this fail the task (FanOutTooLarge) before any copy runs (default ${MAX_FANOUT_ITEMS}).`,
    ),
});
export type ForEachSpec = z.infer<typeof ForEachSpec>;

/** Most iterations a loop may run, and the most it keeps in its instance's status. */
export const MAX_LOOP_ITERATIONS = 100_000;
export const MAX_LOOP_KEEP_LAST = 100;
export const DEFAULT_LOOP_KEEP_LAST = 10;

/**
 * `type: loop` (DO_WHILE): the body tasks (declared in the Dag, depending
 * only on each other) run as `step#1`, `step#2`, …; after each iteration the
 * `while` condition decides whether another one runs. Tasks after the loop
 * depend on the loop task, never on a body task.
 */
export const LoopSpec = z.strictObject({
  body: z
    .array(z.string().min(1).max(63))
    .min(1)
    .max(64)
    .describe('Ids of the tasks that make up one iteration.'),
  while: CelExpression.describe(
    'CEL over vars, shareData, tasks (the latest iteration under the body ids) and iteration (the number of the one just done, from 1); true runs another.',
  ),
  maxIterations: z
    .int()
    .min(1)
    .max(MAX_LOOP_ITERATIONS)
    .describe('Reaching it with the condition still true fails the loop (LoopLimitReached).'),
  keepLast: z
    .int()
    .min(1)
    .max(MAX_LOOP_KEEP_LAST)
    .optional()
    .describe(
      `Iterations whose tasks are kept (default ${DEFAULT_LOOP_KEEP_LAST}); older ones are counted, then dropped.`,
    ),
});
export type LoopSpec = z.infer<typeof LoopSpec>;

/**
 * `type: subDag` (SUB_WORKFLOW): runs another Dag as a child DagInstance owned
 * by this one, vars in, its output back as this task's output; its tasks read
 * as `deploy/<child task>` in the parent's tree.
 */
export const SubDagSpec = z.strictObject({
  dagName: z.string().min(1).max(253).describe('The Dag the child instance runs (same namespace).'),
  vars: z
    .record(z.string().min(1).max(63), z.string().max(8192))
    .meta({ maxProperties: 128 })
    .optional()
    .describe("The child's vars (templates rendered)."),
});
export type SubDagSpec = z.infer<typeof SubDagSpec>;

/** How deep subDag children nest: a Dag that runs itself (directly or through others) stops here. */
export const MAX_SUBDAG_DEPTH = 10;

/** A Dag run as a new instance when an instance of this one ends (`when`), vars in. */
function endRunSpec(when: string) {
  return z.strictObject({
    dagName: z
      .string()
      .min(1)
      .max(253)
      .describe(`The Dag run when an instance of this one ${when}.`),
    vars: z
      .record(z.string().min(1).max(63), z.string().max(8192))
      .meta({ maxProperties: 128 })
      .optional()
      .describe('More vars for it (templates rendered).'),
  });
}

/**
 * `spec.onFailure` (Conductor's failureWorkflow): when an instance ends
 * Failed, this Dag runs as a new instance with the failed one's details in
 * vars (failedInstance, reason, failedTasks).
 */
export const OnFailureSpec = endRunSpec('fails');
export type OnFailureSpec = z.infer<typeof OnFailureSpec>;

/**
 * `spec.onExit` (Argo's onExit): when an instance ends, whatever its phase,
 * this Dag runs as a new instance with its details in vars (instance,
 * phase, reason, failedTasks).
 */
export const OnExitSpec = endRunSpec('ends');
export type OnExitSpec = z.infer<typeof OnExitSpec>;

/**
 * What the entry of a task that grows keys records (status.tasks.<id>): how
 * many copies a fan-out made, which iteration a loop is in, and how many
 * older iterations' entries it dropped (keepLast). The copies' and the
 * iterations' own entries live under their keys.
 */
export const GrownTaskFields = {
  items: z
    .int()
    .min(0)
    .max(MAX_FANOUT_ITEMS)
    .optional()
    .describe('forEach: the number of items, hence of copies `<id>[0]` … `<id>[items-1]`.'),
  iteration: z
    .int()
    .min(1)
    .max(MAX_LOOP_ITERATIONS)
    .optional()
    .describe('loop: the iteration running (or the last one run), from 1.'),
  iterationsDropped: z
    .int()
    .min(0)
    .max(MAX_LOOP_ITERATIONS)
    .optional()
    .describe('loop: older iterations whose body entries were dropped from status (keepLast).'),
};

/** The key of copy `index` of fan-out task `id`: `id[index]`. */
export function fanOutKey(id: string, index: number): string {
  return `${id}[${index}]`;
}

/** The key of body task `id` in loop iteration `iteration` (from 1): `id#iteration`. */
export function iterationKey(id: string, iteration: number): string {
  return `${id}#${iteration}`;
}

/** The key under which the parent shows task `childKey` of the child run by `id`. */
export function childTaskKey(id: string, childKey: string): string {
  return `${id}/${childKey}`;
}
