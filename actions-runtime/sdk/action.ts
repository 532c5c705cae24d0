import type { z } from 'zod';
import type { Logger } from '../../operator/log.ts';
import type { LeaseMutex } from '../mutex/mutex.ts';

/** The instance-wide string map every task of one instance shares (fastflow's ShareData). */
export interface ShareData {
  /** The value, or undefined; read from the API server, so always current. */
  get(key: string): Promise<string | undefined>;
  /** Persists one key (a failed write throws: it is never lost silently). */
  set(key: string, value: string): Promise<void>;
}

/** What an action sees while it runs one attempt of one task. */
export interface ActionContext {
  /** Aborted when the task times out, is canceled, or the worker loses its Lease: stop promptly. */
  readonly signal: AbortSignal;
  /** The instance vars: the Dag's defaults overridden by the DagInstance's values. */
  readonly vars: Readonly<Record<string, string>>;
  readonly instance: { readonly namespace: string; readonly name: string };
  readonly task: { readonly id: string; readonly attempt: number };
  /**
   * Says the action is alive. A task with `heartbeatTimeoutSecs` fails
   * (HeartbeatTimeout, retried under its policy) when its action goes that
   * long without calling it; cheap to call often (the worker writes at most a
   * few beats per timeout window, and none for a task without the timeout).
   */
  heartbeat(): void;
  /** A line of this attempt's trace (kept per attempt, newest 200 lines; see `kubectl fastflow logs`). */
  trace(message: string): void;
  readonly log: Logger;
  readonly shareData: ShareData;
  /** A distributed lock on `key` (a Lease), shared by every worker: `await m.lock()` … `await m.unlock()`. */
  mutex(key: string, opts?: { ttlSecs?: number; reentrant?: boolean }): LeaseMutex;
}

/**
 * A unit of work a task names in `actionName`, with fastflow's hooks. `run`
 * runs at most once per attempt: a worker never runs an attempt twice, and
 * one interrupted by a crash is replaced by a new attempt, never resumed. The
 * hooks run in the same attempt: `retryBefore` (attempts after the first),
 * `runBefore`, `run`, `runAfter`; like `run` they may run again in a later
 * attempt, so they must be safe to repeat. What `run` returns is the task's
 * output (JSON, at most 8 KiB), read by downstream templates as
 * `{{tasks.<id>.output.<path>}}`.
 */
export interface Action<P = Record<string, unknown>> {
  readonly name: string;
  /** Validates (and may transform) the task's params before any hook. */
  readonly params?: z.ZodType<P>;
  /**
   * What `run` returns, when declared: advertised (as JSON Schema) so that a
   * Dag reading `{{tasks.<id>.output.<path>}}` is checked against it when
   * applied. Not enforced on the value returned.
   */
  readonly output?: z.ZodType;
  run(ctx: ActionContext, params: P): unknown;
  runBefore?(ctx: ActionContext, params: P): unknown;
  runAfter?(ctx: ActionContext, params: P): unknown;
  retryBefore?(ctx: ActionContext, params: P): unknown;
}

type Hooks<P> = Pick<Action<P>, 'runBefore' | 'runAfter' | 'retryBefore'>;

/**
 * Declares an action with a zod schema for its params, so `run` receives
 * typed, validated values and a task with bad params fails with a message
 * naming the field instead of reaching your code.
 */
export function defineAction<S extends z.ZodType>(
  def: {
    name: string;
    params: S;
    output?: z.ZodType;
    run(ctx: ActionContext, params: z.output<S>): unknown;
  } & Hooks<z.output<S>>,
): Action<z.output<S>>;
export function defineAction(
  def: {
    name: string;
    output?: z.ZodType;
    run(ctx: ActionContext, params: Record<string, unknown>): unknown;
  } & Hooks<Record<string, unknown>>,
): Action;
export function defineAction(def: Action<unknown>): Action<unknown> {
  if (!/^\S{1,253}$/.test(def.name)) {
    throw new Error(
      `action name ${JSON.stringify(def.name)} must be 1-253 characters without spaces`,
    );
  }
  return def;
}
