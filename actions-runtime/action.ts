import type { z } from 'zod';
import type { Logger } from '../operator/log.ts';

/** What an action sees while it runs one attempt of one task. */
export interface ActionContext {
  /** Aborted when the task times out, is canceled, or the worker loses its Lease: stop promptly. */
  readonly signal: AbortSignal;
  /** The instance vars: the Dag's defaults overridden by the DagInstance's values. */
  readonly vars: Readonly<Record<string, string>>;
  readonly instance: { readonly namespace: string; readonly name: string };
  readonly task: { readonly id: string; readonly attempt: number };
  /** A line of this attempt's trace, for the user who reads what the task did. */
  trace(message: string): void;
  readonly log: Logger;
}

/** A unit of work a task names in `actionName`. */
export interface Action<P = Record<string, unknown>> {
  readonly name: string;
  /** Validates (and may transform) the task's params before `run`. */
  readonly params?: z.ZodType<P>;
  /** Runs once per attempt; a thrown error fails the attempt. */
  run(ctx: ActionContext, params: P): unknown;
}

/**
 * Declares an action with a zod schema for its params, so `run` receives
 * typed, validated values and a task with bad params fails with a message
 * naming the field instead of reaching your code.
 */
export function defineAction<S extends z.ZodType>(def: {
  name: string;
  params: S;
  run(ctx: ActionContext, params: z.output<S>): unknown;
}): Action<z.output<S>>;
export function defineAction(def: {
  name: string;
  run(ctx: ActionContext, params: Record<string, unknown>): unknown;
}): Action;
export function defineAction(def: Action<unknown>): Action<unknown> {
  if (!/^\S{1,253}$/.test(def.name)) {
    throw new Error(
      `action name ${JSON.stringify(def.name)} must be 1-253 characters without spaces`,
    );
  }
  return def;
}
