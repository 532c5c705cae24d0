import type { Action, ActionContext } from './action.ts';

export type AttemptOutcome =
  | { phase: 'Succeeded' }
  | {
      phase: 'Failed';
      reason: 'InvalidParams' | 'ActionFailed' | 'TimedOut' | 'Aborted';
      message: string;
    };

/**
 * Runs one attempt: params validated first (a bad field is named, `run` never
 * sees it), then `run` under the attempt's signal. The timeout counts from
 * here, when the action starts, not from when the task was queued. Once the
 * deadline or an abort has fired, the outcome is settled: an action that
 * ignores its signal can never turn the attempt back into a success.
 */
export async function runAttempt(
  action: Action<unknown>,
  rawParams: unknown,
  ctx: Omit<ActionContext, 'signal'>,
  opts: { timeoutSecs?: number; signal: AbortSignal },
): Promise<AttemptOutcome> {
  let params: unknown = rawParams ?? {};
  if (action.params) {
    const parsed = action.params.safeParse(params);
    if (!parsed.success) {
      const detail = parsed.error.issues
        .map((i) => `params.${i.path.map(String).join('.')}: ${i.message}`.replace(/\.:/, ':'))
        .join('; ');
      return { phase: 'Failed', reason: 'InvalidParams', message: `invalid params: ${detail}` };
    }
    params = parsed.data;
  }

  const attempt = new AbortController();
  let finish: (outcome: AttemptOutcome) => void = () => {};
  const settle = new Promise<AttemptOutcome>((resolve) => (finish = resolve));
  const onAbort = (): void =>
    finish({
      phase: 'Failed',
      reason: 'Aborted',
      message: `aborted: ${reasonText(opts.signal.reason)}`,
    });
  if (opts.signal.aborted) onAbort();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  if (opts.timeoutSecs && opts.timeoutSecs > 0) {
    const secs = opts.timeoutSecs;
    timer = setTimeout(
      () => finish({ phase: 'Failed', reason: 'TimedOut', message: `timed out after ${secs}s` }),
      secs * 1000,
    );
    timer.unref();
  }
  const run = (async (): Promise<AttemptOutcome> => {
    try {
      await action.run({ ...ctx, signal: attempt.signal }, params);
      return { phase: 'Succeeded' };
    } catch (e) {
      return {
        phase: 'Failed',
        reason: 'ActionFailed',
        message: e instanceof Error ? e.message : String(e),
      };
    }
  })();
  const outcome = await Promise.race([run, settle]);
  // Neither the deadline nor the listener may outlive the attempt.
  clearTimeout(timer);
  opts.signal.removeEventListener('abort', onAbort);
  if (!attempt.signal.aborted) attempt.abort(outcome.phase === 'Failed' ? outcome.reason : 'done');
  return outcome;
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'aborted';
}
