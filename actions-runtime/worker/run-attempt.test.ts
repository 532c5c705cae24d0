import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../operator/log.ts';
import { defineAction, type Action, type ActionContext } from '../sdk/action.ts';
import { runAttempt } from './run-attempt.ts';
import { NonRetryableError } from '../sdk/errors.ts';
import { MAX_OUTPUT_BYTES } from '../../operator/api/dag-instance.ts';

const ctx: Omit<ActionContext, 'signal'> = {
  vars: { who: 'world' },
  instance: { namespace: 'ns', name: 'inst' },
  task: { id: 'a', attempt: 1 },
  trace: () => {},
  log: silentLogger(),
  shareData: { get: () => Promise.resolve(undefined), set: () => Promise.resolve() },
  mutex: () => {
    throw new Error('no mutex in these tests');
  },
};

function open(): AbortSignal {
  return new AbortController().signal;
}

/** An action that records the signal it got and runs `body`. */
function probe(body: (signal: AbortSignal) => unknown = () => {}): {
  action: Action<unknown>;
  seen: { signal?: AbortSignal; params?: unknown; calls: number };
} {
  const seen: { signal?: AbortSignal; params?: unknown; calls: number } = { calls: 0 };
  const action = defineAction({
    name: 'probe',
    run(c, params) {
      seen.calls++;
      seen.signal = c.signal;
      seen.params = params;
      return body(c.signal);
    },
  }) as Action<unknown>;
  return { action, seen };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('runAttempt', () => {
  it('succeeds when the action resolves, passing params and the context through', async () => {
    const { action, seen } = probe(async () => {});
    const outcome = await runAttempt(action, { x: 1 }, ctx, { signal: open() });
    expect(outcome).toEqual({ phase: 'Succeeded' });
    expect(seen.params).toEqual({ x: 1 });
    expect(seen.calls).toBe(1);
  });

  it('gives the action empty params when the task has none', async () => {
    const { action, seen } = probe();
    expect(await runAttempt(action, undefined, ctx, { signal: open() })).toEqual({
      phase: 'Succeeded',
    });
    expect(seen.params).toEqual({});
  });

  it('aborts the action signal once the attempt is over', async () => {
    const { action, seen } = probe();
    await runAttempt(action, {}, ctx, { signal: open() });
    expect(seen.signal?.aborted).toBe(true);
  });

  it('fails with ActionFailed and the message of a thrown error', async () => {
    const { action } = probe(() => {
      throw new Error('disk full');
    });
    expect(await runAttempt(action, {}, ctx, { signal: open() })).toEqual({
      phase: 'Failed',
      reason: 'ActionFailed',
      message: 'disk full',
    });
  });

  it('fails with ActionFailed for a rejected promise and a thrown non-Error', async () => {
    const rejects = probe(() => Promise.reject(new Error('boom'))).action;
    expect(await runAttempt(rejects, {}, ctx, { signal: open() })).toMatchObject({
      reason: 'ActionFailed',
      message: 'boom',
    });
    const throwsString = probe(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw 'plain string';
    }).action;
    expect(await runAttempt(throwsString, {}, ctx, { signal: open() })).toMatchObject({
      reason: 'ActionFailed',
      message: 'plain string',
    });
  });

  it('fails with InvalidParams naming the field, and never calls run', async () => {
    const run = vi.fn();
    const action = defineAction({
      name: 'sleepy',
      params: z.object({ seconds: z.number().min(0) }),
      run,
    }) as Action<unknown>;
    const outcome = await runAttempt(action, { seconds: 'soon' }, ctx, { signal: open() });
    expect(outcome).toMatchObject({ phase: 'Failed', reason: 'InvalidParams' });
    expect(outcome.phase === 'Failed' && outcome.message).toMatch(
      /^invalid params: params\.seconds: /,
    );
    const negative = await runAttempt(action, { seconds: -1 }, ctx, { signal: open() });
    expect(negative.phase === 'Failed' && negative.message).toMatch(/params\.seconds: /);
    expect(run).not.toHaveBeenCalled();
  });

  it('names nested fields and the params object itself', async () => {
    const run = vi.fn();
    const action = defineAction({
      name: 'nested',
      params: z.object({ target: z.object({ port: z.number() }) }),
      run,
    }) as Action<unknown>;
    const nested = await runAttempt(action, { target: { port: 'x' } }, ctx, { signal: open() });
    expect(nested.phase === 'Failed' && nested.message).toMatch(/params\.target\.port: /);
    const notObject = await runAttempt(action, 'text', ctx, { signal: open() });
    expect(notObject.phase === 'Failed' && notObject.message).toMatch(/^invalid params: params: /);
    expect(run).not.toHaveBeenCalled();
  });

  it('passes the parsed (transformed) params to run', async () => {
    let got: unknown;
    const action = defineAction({
      name: 'coerce',
      params: z.object({ seconds: z.coerce.number() }),
      run: (_c, p) => {
        got = p;
      },
    }) as Action<unknown>;
    await runAttempt(action, { seconds: '2.5' }, ctx, { signal: open() });
    expect(got).toEqual({ seconds: 2.5 });
  });

  it('times out after timeoutSecs and aborts the action signal', async () => {
    vi.useFakeTimers();
    const { action, seen } = probe(
      (signal) =>
        new Promise<void>((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('stopped')));
        }),
    );
    const pending = runAttempt(action, {}, ctx, { timeoutSecs: 2, signal: open() });
    await vi.advanceTimersByTimeAsync(1999);
    expect(seen.signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toEqual({
      phase: 'Failed',
      reason: 'TimedOut',
      message: 'timed out after 2s',
    });
    expect(seen.signal?.aborted).toBe(true);
  });

  it('accepts a fractional timeout', async () => {
    const { action, seen } = probe(
      (signal) => new Promise((r) => signal.addEventListener('abort', r)),
    );
    const outcome = await runAttempt(action, {}, ctx, { timeoutSecs: 0.02, signal: open() });
    expect(outcome).toMatchObject({ reason: 'TimedOut', message: 'timed out after 0.02s' });
    expect(seen.signal?.aborted).toBe(true);
  });

  it('stays TimedOut when the action ignores its signal and resolves after the deadline', async () => {
    vi.useFakeTimers();
    const { action } = probe(() => new Promise<void>((r) => setTimeout(r, 5000)));
    const pending = runAttempt(action, {}, ctx, { timeoutSecs: 1, signal: open() });
    await vi.advanceTimersByTimeAsync(6000);
    expect(await pending).toMatchObject({ phase: 'Failed', reason: 'TimedOut' });
  });

  it('does not time out an action that finishes before the deadline', async () => {
    vi.useFakeTimers();
    const { action } = probe(() => new Promise<void>((r) => setTimeout(r, 500)));
    const pending = runAttempt(action, {}, ctx, { timeoutSecs: 1, signal: open() });
    await vi.advanceTimersByTimeAsync(500);
    expect(await pending).toEqual({ phase: 'Succeeded' });
  });

  it('leaves no timer running once the attempt is over', async () => {
    vi.useFakeTimers();
    const { action } = probe();
    expect(await runAttempt(action, {}, ctx, { timeoutSecs: 3600, signal: open() })).toEqual({
      phase: 'Succeeded',
    });
    expect(vi.getTimerCount()).toBe(0);

    const failing = probe(() => {
      throw new Error('x');
    }).action;
    await runAttempt(failing, {}, ctx, { timeoutSecs: 3600, signal: open() });
    expect(vi.getTimerCount()).toBe(0);

    const outer = new AbortController();
    const hangs = probe(() => new Promise(() => {})).action;
    const aborted = runAttempt(hangs, {}, ctx, { timeoutSecs: 3600, signal: outer.signal });
    outer.abort(new Error('stop'));
    await aborted;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops listening to the outer signal once the attempt is over', async () => {
    const outer = new AbortController();
    const added = vi.spyOn(outer.signal, 'addEventListener');
    const removed = vi.spyOn(outer.signal, 'removeEventListener');
    await runAttempt(probe().action, {}, ctx, { signal: outer.signal });
    const listener = added.mock.calls.find((c) => c[0] === 'abort')?.[1];
    expect(listener).toBeDefined();
    expect(removed.mock.calls.some((c) => c[0] === 'abort' && c[1] === listener)).toBe(true);
  });

  it('fails with Aborted, and aborts the action, when the outer signal aborts', async () => {
    const outer = new AbortController();
    const { action, seen } = probe(() => new Promise(() => {}));
    const pending = runAttempt(action, {}, ctx, { timeoutSecs: 60, signal: outer.signal });
    await Promise.resolve();
    outer.abort(new Error('worker lost its lease'));
    expect(await pending).toEqual({
      phase: 'Failed',
      reason: 'Aborted',
      message: 'aborted: worker lost its lease',
    });
    expect(seen.signal?.aborted).toBe(true);
  });

  it('fails with Aborted when the outer signal was aborted before the start', async () => {
    const outer = new AbortController();
    outer.abort('canceled');
    const { action } = probe(() => new Promise<void>((r) => setTimeout(r, 1)));
    expect(await runAttempt(action, {}, ctx, { signal: outer.signal })).toEqual({
      phase: 'Failed',
      reason: 'Aborted',
      message: 'aborted: canceled',
    });
  });

  it('is not turned into a success by an action that resolves after the abort', async () => {
    const outer = new AbortController();
    const { action } = probe(() => new Promise<void>((r) => setTimeout(r, 20)));
    const pending = runAttempt(action, {}, ctx, { signal: outer.signal });
    outer.abort();
    expect(await pending).toMatchObject({ phase: 'Failed', reason: 'Aborted' });
    await new Promise((r) => setTimeout(r, 30));
    expect(await pending).toMatchObject({ phase: 'Failed', reason: 'Aborted' });
  });
});

describe('hooks and output', () => {
  it('runs retryBefore (after the first attempt), runBefore, run, runAfter in order, and returns the output', async () => {
    const calls: string[] = [];
    const action = defineAction({
      name: 'hooked',
      retryBefore: () => void calls.push('retryBefore'),
      runBefore: () => void calls.push('runBefore'),
      run: () => {
        calls.push('run');
        return { ip: '10.0.0.1', ports: [80] };
      },
      runAfter: () => void calls.push('runAfter'),
    });
    const first = await runAttempt(action, {}, ctx, { signal: open() });
    expect(first).toEqual({ phase: 'Succeeded', output: { ip: '10.0.0.1', ports: [80] } });
    expect(calls).toEqual(['runBefore', 'run', 'runAfter']);
    calls.length = 0;
    await runAttempt(action, {}, { ...ctx, task: { id: 'a', attempt: 2 } }, { signal: open() });
    expect(calls).toEqual(['retryBefore', 'runBefore', 'run', 'runAfter']);
  });

  it('fails a NonRetryableError with reason NonRetryable', async () => {
    const action = defineAction({
      name: 'final',
      run: () => {
        throw new NonRetryableError('cluster does not exist');
      },
    });
    expect(await runAttempt(action, {}, ctx, { signal: open() })).toEqual({
      phase: 'Failed',
      reason: 'NonRetryable',
      message: 'cluster does not exist',
    });
  });

  it('fails an output over the size limit with a clear message', async () => {
    const action = defineAction({ name: 'big', run: () => 'x'.repeat(MAX_OUTPUT_BYTES) });
    const outcome = await runAttempt(action, {}, ctx, { signal: open() });
    expect(outcome).toMatchObject({ phase: 'Failed', reason: 'OutputTooLarge' });
    expect(outcome.phase === 'Failed' && outcome.message).toContain(
      `the limit is ${MAX_OUTPUT_BYTES}`,
    );
  });

  it('fails an output that is not JSON (a cycle)', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const action = defineAction({ name: 'cyclic', run: () => cyclic });
    expect(await runAttempt(action, {}, ctx, { signal: open() })).toMatchObject({
      phase: 'Failed',
      reason: 'NonRetryable',
    });
  });
});
