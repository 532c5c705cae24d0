import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { MAX_OUTPUT_BYTES } from '../../operator/api/attempt-data.ts';
import { defineAction, type Action } from '../sdk/action.ts';
import { NonRetryableError } from '../sdk/errors.ts';
import { runAttempt } from './run-attempt.ts';
import { ctx, open, probe } from '../../test/support/run-attempt-fixtures.ts';

describe('runAttempt', () => {
  it('succeeds when the action resolves, passing params and the context through', async () => {
    const { action, seen } = probe(async () => {});
    const outcome = await runAttempt(action, { x: 1 }, ctx, { signal: open() });
    expect(outcome).toEqual({ event: 'AttemptSucceeded' });
    expect(seen.params).toEqual({ x: 1 });
    expect(seen.calls).toBe(1);
  });

  it('gives the action empty params when the task has none', async () => {
    const { action, seen } = probe();
    expect(await runAttempt(action, undefined, ctx, { signal: open() })).toEqual({
      event: 'AttemptSucceeded',
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
      event: 'AttemptFailed',
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
    expect(outcome).toMatchObject({ event: 'AttemptFailed', reason: 'InvalidParams' });
    expect(outcome.event === 'AttemptFailed' && outcome.message).toMatch(
      /^invalid params: params\.seconds: /,
    );
    const negative = await runAttempt(action, { seconds: -1 }, ctx, { signal: open() });
    expect(negative.event === 'AttemptFailed' && negative.message).toMatch(/params\.seconds: /);
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
    expect(nested.event === 'AttemptFailed' && nested.message).toMatch(/params\.target\.port: /);
    const notObject = await runAttempt(action, 'text', ctx, { signal: open() });
    expect(notObject.event === 'AttemptFailed' && notObject.message).toMatch(
      /^invalid params: params: /,
    );
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
    expect(first).toEqual({ event: 'AttemptSucceeded', output: { ip: '10.0.0.1', ports: [80] } });
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
      event: 'AttemptFailed',
      reason: 'NonRetryable',
      message: 'cluster does not exist',
    });
  });

  it('fails an output over the size limit with a clear message', async () => {
    const action = defineAction({ name: 'big', run: () => 'x'.repeat(MAX_OUTPUT_BYTES) });
    const outcome = await runAttempt(action, {}, ctx, { signal: open() });
    expect(outcome).toMatchObject({ event: 'AttemptFailed', reason: 'OutputTooLarge' });
    expect(outcome.event === 'AttemptFailed' && outcome.message).toContain(
      `the limit is ${MAX_OUTPUT_BYTES}`,
    );
  });

  it('fails an output that is not JSON (a cycle)', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const action = defineAction({ name: 'cyclic', run: () => cyclic });
    expect(await runAttempt(action, {}, ctx, { signal: open() })).toMatchObject({
      event: 'AttemptFailed',
      reason: 'NonRetryable',
    });
  });
});
