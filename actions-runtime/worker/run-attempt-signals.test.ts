import { afterEach, describe, expect, it, vi } from 'vitest';
import { runAttempt } from './run-attempt.ts';
import { ctx, open, probe } from '../../test/support/run-attempt-fixtures.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('runAttempt: timeouts and aborts', () => {
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
      event: 'AttemptFailed',
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
    let returned = false;
    const onLingering = (ended: Promise<void>): void => void ended.then(() => (returned = true));
    const pending = runAttempt(action, {}, ctx, { timeoutSecs: 1, signal: open(), onLingering });
    await vi.advanceTimersByTimeAsync(1000);
    expect(await pending).toMatchObject({ event: 'AttemptFailed', reason: 'TimedOut' });
    // The caller learns that the action still runs, and when it returns.
    await vi.advanceTimersByTimeAsync(3999);
    expect(returned).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(returned).toBe(true);
    expect(await pending).toMatchObject({ event: 'AttemptFailed', reason: 'TimedOut' });
  });

  it('does not time out an action that finishes before the deadline', async () => {
    vi.useFakeTimers();
    const { action } = probe(() => new Promise<void>((r) => setTimeout(r, 500)));
    const onLingering = vi.fn();
    const pending = runAttempt(action, {}, ctx, { timeoutSecs: 1, signal: open(), onLingering });
    await vi.advanceTimersByTimeAsync(500);
    expect(await pending).toEqual({ event: 'AttemptSucceeded' });
    expect(onLingering).not.toHaveBeenCalled();
  });

  it('leaves no timer running once the attempt is over', async () => {
    vi.useFakeTimers();
    const { action } = probe();
    expect(await runAttempt(action, {}, ctx, { timeoutSecs: 3600, signal: open() })).toEqual({
      event: 'AttemptSucceeded',
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
      event: 'AttemptFailed',
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
      event: 'AttemptFailed',
      reason: 'Aborted',
      message: 'aborted: canceled',
    });
  });

  it('is not turned into a success by an action that resolves after the abort', async () => {
    const outer = new AbortController();
    const { action } = probe(() => new Promise<void>((r) => setTimeout(r, 20)));
    const pending = runAttempt(action, {}, ctx, { signal: outer.signal });
    outer.abort();
    expect(await pending).toMatchObject({ event: 'AttemptFailed', reason: 'Aborted' });
    await new Promise((r) => setTimeout(r, 30));
    expect(await pending).toMatchObject({ event: 'AttemptFailed', reason: 'Aborted' });
  });
});
