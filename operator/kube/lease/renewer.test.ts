import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LeaseRenewer } from './renewer.ts';

const INTERVAL_MS = 100;
const DEADLINE_MS = 1000;

// Fake timers drive both the pauses and the clock (performance.now).
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

type Outcome = 'renewed' | 'failed' | 'throws' | 'hangs';

type Probe = { calls: number[]; expired: unknown[]; aborted: number; outcome: Outcome };

/** A renewer whose renewals do what `t.outcome` says, and record when they ran. */
function renewer(): { r: LeaseRenewer; t: Probe } {
  const t: Probe = { calls: [], expired: [], aborted: 0, outcome: 'renewed' };
  const r = new LeaseRenewer({
    intervalMs: INTERVAL_MS,
    deadlineMs: DEADLINE_MS,
    renew: (signal) => {
      t.calls.push(performance.now());
      if (t.outcome === 'throws') return Promise.reject(new Error('connect ECONNREFUSED'));
      if (t.outcome !== 'hangs') return Promise.resolve(t.outcome === 'renewed');
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => {
          t.aborted++;
          reject(new Error('aborted'));
        }),
      );
    },
    onExpired: (e) => t.expired.push(e),
  });
  return { r, t };
}

describe('LeaseRenewer', () => {
  it('renews every interval until stopped; nothing after stop() resolved', async () => {
    const { r, t } = renewer();
    const start = performance.now();
    const done = r.start(start);
    await vi.advanceTimersByTimeAsync(5 * INTERVAL_MS);
    expect(t.calls.map((c) => c - start)).toEqual([100, 200, 300, 400, 500]);
    await r.stop();
    await done;
    await vi.advanceTimersByTimeAsync(10 * DEADLINE_MS);
    expect(t.calls).toHaveLength(5);
    expect(t.expired).toEqual([]);
  });

  it('says once when no renewal succeeded for the deadline, counted from the start of the last success; a success re-arms it', async () => {
    const { r, t } = renewer();
    const start = performance.now();
    void r.start(start);
    await vi.advanceTimersByTimeAsync(2 * INTERVAL_MS); // renewed at 100 and 200
    expect(r.renewedAt - start).toBe(200);
    t.outcome = 'failed';
    await vi.advanceTimersByTimeAsync(DEADLINE_MS - 1);
    expect(t.expired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.expired).toEqual([undefined]);
    await vi.advanceTimersByTimeAsync(5 * DEADLINE_MS);
    expect(t.expired).toHaveLength(1);

    t.outcome = 'throws';
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    t.outcome = 'renewed';
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    t.outcome = 'throws';
    await vi.advanceTimersByTimeAsync(DEADLINE_MS);
    expect(t.expired).toHaveLength(2);
    expect(String(t.expired[1])).toMatch(/ECONNREFUSED/);
    await r.stop();
  });

  it('counts the first deadline from `since`', async () => {
    const { r, t } = renewer();
    t.outcome = 'failed';
    void r.start(performance.now() - DEADLINE_MS / 2);
    await vi.advanceTimersByTimeAsync(DEADLINE_MS / 2);
    expect(t.expired).toHaveLength(1);
    await r.stop();
  });

  it('expires on time while a renewal hangs; stop() aborts the hung renewal', async () => {
    const { r, t } = renewer();
    t.outcome = 'hangs';
    void r.start(performance.now());
    await vi.advanceTimersByTimeAsync(DEADLINE_MS);
    expect(t.calls).toHaveLength(1);
    expect(t.expired).toHaveLength(1);
    await r.stop();
    expect(t.aborted).toBe(1);
  });

  it('a new start() after an unawaited stop() renews on its own', async () => {
    const { r, t } = renewer();
    void r.start(performance.now());
    void r.stop();
    const since = performance.now();
    void r.start(since);
    await vi.advanceTimersByTimeAsync(3 * INTERVAL_MS);
    expect(t.calls.map((c) => c - since)).toEqual([100, 200, 300]);
    await r.stop();
  });
});
