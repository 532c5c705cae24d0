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

type Probe = {
  calls: number[];
  expired: unknown[];
  patient: number[];
  aborted: number;
  outcome: Outcome;
};

const BOUND_MS = 5000;

/**
 * A renewer whose renewals do what `t.outcome` says, and record when they
 * ran; `patient`: it waits up to BOUND_MS while renewals throw ECONNREFUSED.
 */
function renewer(patient = false): { r: LeaseRenewer; t: Probe } {
  const t: Probe = { calls: [], expired: [], patient: [], aborted: 0, outcome: 'renewed' };
  const r = new LeaseRenewer({
    ...(patient
      ? {
          unreachable: {
            is: (e) => /ECONNREFUSED/.test(String(e)),
            boundMs: BOUND_MS,
            onPatient: () => t.patient.push(performance.now()),
          },
        }
      : {}),
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

  it('with patience, waits up to its bound while the API server gives no answer; a success re-arms it', async () => {
    const { r, t } = renewer(true);
    const start = performance.now();
    void r.start(start);
    t.outcome = 'throws';
    await vi.advanceTimersByTimeAsync(DEADLINE_MS);
    expect(t.expired).toEqual([]);
    expect(t.patient.map((p) => p - start)).toEqual([DEADLINE_MS]);
    t.outcome = 'hangs'; // a hung renewal gives no answer either
    await vi.advanceTimersByTimeAsync(BOUND_MS - DEADLINE_MS - 1);
    expect(t.expired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.expired).toHaveLength(1);
    await r.stop();

    const again = renewer(true);
    const since = performance.now();
    void again.r.start(since);
    again.t.outcome = 'throws';
    await vi.advanceTimersByTimeAsync(DEADLINE_MS + INTERVAL_MS);
    again.t.outcome = 'renewed';
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    again.t.outcome = 'throws';
    await vi.advanceTimersByTimeAsync(BOUND_MS - 1);
    expect(again.t.expired).toEqual([]);
    expect(again.t.patient).toHaveLength(2);
    await again.r.stop();
  });

  it('with patience, gives up at the deadline, or at once past it, when the API server answers no', async () => {
    const { r, t } = renewer(true);
    void r.start(performance.now());
    t.outcome = 'failed'; // an answer: the Lease was not renewed
    await vi.advanceTimersByTimeAsync(DEADLINE_MS);
    expect(t.expired).toHaveLength(1);
    expect(t.patient).toEqual([]);
    await r.stop();

    const late = renewer(true);
    void late.r.start(performance.now());
    late.t.outcome = 'throws';
    await vi.advanceTimersByTimeAsync(2 * DEADLINE_MS);
    expect(late.t.expired).toEqual([]);
    late.t.outcome = 'failed';
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(late.t.expired).toHaveLength(1);
    await late.r.stop();
  });
});
