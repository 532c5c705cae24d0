import { describe, expect, it } from 'vitest';
import { END_LOOP, loopDo } from './loop-do.ts';
import { WaitingTime } from './wait-action.ts';

describe('loopDo', () => {
  it('polls until the body returns END_LOOP', async () => {
    let calls = 0;
    await loopDo(new AbortController().signal, () => (++calls === 3 ? END_LOOP : undefined), {
      intervalMs: 1,
    });
    expect(calls).toBe(3);
  });

  it('stops with the body error', async () => {
    const loop = loopDo(new AbortController().signal, () => {
      throw new Error('gave up');
    });
    await expect(loop).rejects.toThrow('gave up');
  });

  it('stops when the attempt is aborted', async () => {
    const ac = new AbortController();
    const loop = loopDo(ac.signal, () => undefined, { intervalMs: 10_000 });
    ac.abort(new Error('timed out'));
    await expect(loop).rejects.toThrow('timed out');
  });
});

describe('waitingTime (ff-waiting)', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('%s is %d ms', (text, ms) => {
    expect(WaitingTime.parse(text)).toBe(ms);
  });

  it.each(['', '5', '1.5s', '10 s', '3w', '-1s'])('refuses %j with the syntax', (text) => {
    const result = WaitingTime.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('whole number and a unit');
  });
});
