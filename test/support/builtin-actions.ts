import { runAttempt, type AttemptOutcome } from '../../actions-runtime/worker/run-attempt.ts';
import type { Action } from '../../actions-runtime/sdk/action.ts';
import { ctx } from './run-attempt-fixtures.ts';

/**
 * One attempt of a built-in action as the worker runs it (params validated
 * by its schema, errors mapped to reasons), without a cluster; `traces`
 * collects its trace lines.
 */
export async function attemptOf<P>(
  action: Action<P>,
  params: unknown,
  opts: { signal?: AbortSignal; timeoutSecs?: number } = {},
): Promise<{ outcome: AttemptOutcome; traces: string[] }> {
  const traces: string[] = [];
  const outcome = await runAttempt(
    action,
    params,
    { ...ctx, trace: (line) => traces.push(line) },
    { signal: opts.signal ?? new AbortController().signal, timeoutSecs: opts.timeoutSecs },
  );
  return { outcome, traces };
}
