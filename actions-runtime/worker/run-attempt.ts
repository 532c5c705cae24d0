import { MAX_OUTPUT_BYTES } from '../../operator/api/attempt-data.ts';
import { formatPath } from '../../operator/api/field-path.ts';
import type { AttemptFailureReason } from '../../operator/api/task-reason.ts';
import type { Action, ActionContext } from '../sdk/action.ts';
import { NonRetryableError } from '../sdk/errors.ts';

/** How an attempt ended, as the worker reports it (see TASK_TRANSITIONS). */
export type AttemptOutcome =
  | { event: 'AttemptSucceeded'; output?: unknown }
  | { event: 'AttemptFailed'; reason: AttemptFailureReason; message: string };

/**
 * Runs one attempt: params validated first (a bad field is named, `run` never
 * sees it), then `run` under the attempt's signal. The timeout counts from
 * here, when the action starts, not from when the task was queued. Once the
 * deadline or an abort has fired, the outcome is settled: an action that
 * ignores its signal can never turn the attempt back into a success, and
 * `onLingering` tells the caller it still runs.
 */
export async function runAttempt(
  action: Action<unknown>,
  rawParams: unknown,
  ctx: Omit<ActionContext, 'signal'>,
  opts: {
    timeoutSecs?: number;
    /** The largest output (bytes of JSON) the worker takes: more fails the attempt. */
    maxOutputBytes?: number;
    signal: AbortSignal;
    /**
     * Called when the outcome is settled (timeout, abort) while the action
     * still runs, ignoring its signal: `ended` resolves when it returns.
     */
    onLingering?: (ended: Promise<void>) => void;
  },
): Promise<AttemptOutcome> {
  let params: unknown = rawParams ?? {};
  if (action.params) {
    const parsed = action.params.safeParse(params);
    if (!parsed.success) {
      const detail = parsed.error.issues
        .map((i) => `${formatPath(['params', ...i.path])}: ${i.message}`)
        .join('; ');
      return {
        event: 'AttemptFailed',
        reason: 'InvalidParams',
        message: `invalid params: ${detail}`,
      };
    }
    params = parsed.data;
  }

  const attempt = new AbortController();
  let finish: (outcome: AttemptOutcome) => void = () => {};
  const settle = new Promise<AttemptOutcome>((resolve) => (finish = resolve));
  const onAbort = (): void =>
    finish({
      event: 'AttemptFailed',
      reason: 'Aborted',
      message: `aborted: ${reasonText(opts.signal.reason)}`,
    });
  if (opts.signal.aborted) onAbort();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  if (opts.timeoutSecs && opts.timeoutSecs > 0) {
    const secs = opts.timeoutSecs;
    timer = setTimeout(
      () =>
        finish({ event: 'AttemptFailed', reason: 'TimedOut', message: `timed out after ${secs}s` }),
      secs * 1000,
    );
    timer.unref();
  }
  const run = (async (): Promise<AttemptOutcome> => {
    const actx = { ...ctx, signal: attempt.signal };
    try {
      if (ctx.task.attempt > 1) await action.retryBefore?.(actx, params);
      await action.runBefore?.(actx, params);
      const output: unknown = await action.run(actx, params);
      await action.runAfter?.(actx, params);
      return checkOutput(output, opts.maxOutputBytes ?? MAX_OUTPUT_BYTES);
    } catch (e) {
      return {
        event: 'AttemptFailed',
        reason: e instanceof NonRetryableError ? 'NonRetryable' : 'ActionFailed',
        message: e instanceof Error ? e.message : String(e),
      };
    }
  })();
  let returned = false;
  const ended = run.then(() => {
    returned = true;
  });
  const outcome = await Promise.race([run, settle]);
  if (!returned) opts.onLingering?.(ended);
  // Neither the deadline nor the listener may outlive the attempt.
  clearTimeout(timer);
  opts.signal.removeEventListener('abort', onAbort);
  if (!attempt.signal.aborted)
    attempt.abort(outcome.event === 'AttemptFailed' ? outcome.reason : 'done');
  return outcome;
}

/** The output is kept with the task (inline or in its data object): JSON, and bounded. */
function checkOutput(output: unknown, maxBytes: number): AttemptOutcome {
  if (output === undefined) return { event: 'AttemptSucceeded' };
  let json: string | undefined;
  try {
    json = JSON.stringify(output);
  } catch (e) {
    return {
      event: 'AttemptFailed',
      reason: 'NonRetryable',
      message: `output is not JSON: ${String(e)}`,
    };
  }
  if (json === undefined) return { event: 'AttemptSucceeded' };
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) {
    return {
      event: 'AttemptFailed',
      reason: 'OutputTooLarge',
      message: `output is ${bytes} bytes of JSON; the limit is ${maxBytes} (the worker's maxOutputBytes: keep large data elsewhere and return a reference)`,
    };
  }
  return { event: 'AttemptSucceeded', output: JSON.parse(json) as unknown };
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'aborted';
}
