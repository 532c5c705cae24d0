import { afterEach, describe, expect, it } from 'vitest';
import {
  FakeLeaseStore,
  callsOf,
  moreAttempts,
  newCaller,
  type Caller,
} from '../../test/support/fake-lease-api.ts';
import { until } from '../../test/support/until.ts';
import { silentLogger } from '../log.ts';
import { LeaderElector } from './leader-election.ts';
import { microTime } from './time.ts';

const LEASE_MS = 400;
const RENEW_DEADLINE_MS = 300;
const RETRY_MS = 50;
// This many attempts span more than a leaseDuration on a candidate's clock.
const ATTEMPTS_OVER_A_LEASE = LEASE_MS / RETRY_MS + 2;

type Candidate = {
  elector: LeaderElector;
  caller: Caller;
  stop: AbortController;
  done: Promise<void>;
  started: number;
  stopped: number;
  leadership?: AbortSignal;
};

const running: Candidate[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) {
    c.stop.abort();
    await c.done;
  }
});

type Tuning = {
  /**
   * Its clock: by default one that advances a retryPeriod per attempt,
   * whatever the scheduler does; or this one, which the test moves by hand.
   */
  clock?: { now: number };
  renewDeadlineMs?: number;
};

function candidate(store: FakeLeaseStore, identity: string, tuning: Tuning = {}): Candidate {
  const { clock, renewDeadlineMs = RENEW_DEADLINE_MS } = tuning;
  const caller = newCaller();
  const now = clock ? () => clock.now : () => callsOf(caller, 'read') * RETRY_MS;
  const c: Candidate = {
    caller,
    stop: new AbortController(),
    done: Promise.resolve(),
    started: 0,
    stopped: 0,
    elector: new LeaderElector({
      coordination: store.api(caller),
      namespace: 'ns',
      name: 'op',
      identity,
      leaseDurationMs: Math.max(LEASE_MS, renewDeadlineMs + RETRY_MS),
      renewDeadlineMs,
      retryPeriodMs: RETRY_MS,
      logger: silentLogger(),
      onStartedLeading: (signal) => {
        c.started++;
        c.leadership = signal;
      },
      onStoppedLeading: () => c.stopped++,
      now,
    }),
  };
  c.done = c.elector.run(c.stop.signal);
  running.push(c);
  return c;
}

const leading = (c: Candidate): boolean => c.started > c.stopped;

describe('LeaderElector', () => {
  it('creates the lease, leads, and writes MicroTime timestamps', async () => {
    const store = new FakeLeaseStore();
    const a = candidate(store, 'a');
    await until(() => leading(a));
    expect(a.started).toBe(1);
    const spec = store.get('op')?.spec;
    expect(spec).toMatchObject({
      holderIdentity: 'a',
      leaseDurationSeconds: 1,
      leaseTransitions: 0,
    });
    expect(String(spec?.renewTime)).toMatch(/\.\d{6}Z$/);
    expect(String(spec?.acquireTime)).toMatch(/\.\d{6}Z$/);
  });

  it('keeps one leader while it renews', async () => {
    const store = new FakeLeaseStore();
    const a = candidate(store, 'a');
    await until(() => leading(a));
    const b = candidate(store, 'b');
    await moreAttempts(b.caller, ATTEMPTS_OVER_A_LEASE);
    expect(leading(a)).toBe(true);
    expect(leading(b)).toBe(false);
    expect(b.started).toBe(0);
    const renewTimes = a.caller.calls.filter((c) => c === 'replace').length;
    expect(renewTimes).toBeGreaterThan(5);
  });

  it('a leader that cannot renew stops at renewDeadline; a standby takes over after leaseDuration on its clock', async () => {
    const store = new FakeLeaseStore();
    const a = candidate(store, 'a');
    await until(() => leading(a));
    const clock = { now: 0 };
    const b = candidate(store, 'b', { clock });
    await moreAttempts(b.caller, 2);
    a.caller.mode = 'fail';
    const attemptsBefore = callsOf(a.caller, 'read');
    await until(() => a.stopped === 1);
    expect(a.leadership?.aborted).toBe(true);
    expect(leading(a)).toBe(false);
    await a.done; // run() resolves once leading ended
    // It stopped on its own deadline: no more attempts than fit in a renewDeadline.
    const failed = callsOf(a.caller, 'read') - attemptsBefore;
    expect(failed).toBeLessThanOrEqual(RENEW_DEADLINE_MS / RETRY_MS);
    // The record no longer changes, but b waits a whole leaseDuration on its clock.
    await moreAttempts(b.caller, 3);
    clock.now += LEASE_MS - 1;
    await moreAttempts(b.caller, 3);
    expect(leading(b)).toBe(false);
    clock.now += 1;
    await until(() => leading(b));
    expect(store.get('op')?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('stops leading at renewDeadline even while a renew request hangs; hung calls time out before that', async () => {
    const store = new FakeLeaseStore();
    // Calls time out after renewDeadline/2 = 500 ms, with 50 ms between them:
    // at the deadline the second one hangs, by a margin the scheduler cannot eat.
    const a = candidate(store, 'a', { renewDeadlineMs: 1000 });
    await until(() => leading(a));
    a.caller.mode = 'hang';
    await until(() => a.stopped === 1);
    await a.done;
    // Calls before gave up on their own deadline (renewDeadline/2); the last
    // was still hanging when the renewDeadline stopped the leader.
    expect(a.caller.aborts.slice(0, -1).every((r) => r === 'TimeoutError')).toBe(true);
    expect(a.caller.aborts.at(-1)).toBe('AbortError');
  });

  it('takes over by its own clock, whatever renewTime and duration the record claims', async () => {
    const store = new FakeLeaseStore();
    const future = new Date(Date.now() + 86_400_000);
    store.put({
      metadata: { name: 'op', namespace: 'ns' },
      spec: {
        holderIdentity: 'ghost',
        leaseDurationSeconds: 1_000_000,
        renewTime: microTime(future) as unknown as Date,
        leaseTransitions: 7,
      },
    });
    const clock = { now: 0 };
    const b = candidate(store, 'b', { clock });
    await moreAttempts(b.caller, 3);
    clock.now = LEASE_MS - 1;
    await moreAttempts(b.caller, 3);
    expect(leading(b)).toBe(false);
    clock.now = LEASE_MS;
    await until(() => leading(b));
    expect(store.get('op')?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 8 });
  });

  it('gives up leadership when someone else took the lease', async () => {
    const store = new FakeLeaseStore();
    const a = candidate(store, 'a');
    await until(() => leading(a));
    const current = store.get('op');
    store.put({ ...current, spec: { ...current?.spec, holderIdentity: 'intruder' } });
    await until(() => a.stopped === 1);
    expect(a.leadership?.aborted).toBe(true);
  });

  it('of two standbys racing for an expired lease exactly one wins', async () => {
    const store = new FakeLeaseStore();
    store.put({ metadata: { name: 'op', namespace: 'ns' }, spec: { holderIdentity: 'ghost' } });
    const b = candidate(store, 'b');
    const c = candidate(store, 'c');
    await until(() => leading(b) || leading(c));
    await moreAttempts((leading(b) ? c : b).caller, ATTEMPTS_OVER_A_LEASE);
    expect([leading(b), leading(c)].filter(Boolean)).toHaveLength(1);
    expect(b.started + c.started).toBe(1);
  });

  it('on abort stops leading without releasing; release() then hands over at once', async () => {
    const store = new FakeLeaseStore();
    const a = candidate(store, 'a');
    await until(() => leading(a));
    // b's clock stands still: only a release can make it leader.
    const b = candidate(store, 'b', { clock: { now: 0 } });
    await moreAttempts(b.caller, 2);
    a.stop.abort();
    await a.done;
    expect(a.stopped).toBe(1);
    expect(a.leadership?.aborted).toBe(true);
    expect(store.get('op')?.spec?.holderIdentity).toBe('a');
    await a.elector.release();
    expect(store.get('op')?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    await until(() => leading(b));
    expect(store.get('op')?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    // Releasing a lease we no longer hold changes nothing.
    await a.elector.release();
    expect(store.get('op')?.spec?.holderIdentity).toBe('b');
  });

  it('release() while still leading stops leading first, then hands over', async () => {
    const store = new FakeLeaseStore();
    const a = candidate(store, 'a');
    await until(() => leading(a));
    const b = candidate(store, 'b', { clock: { now: 0 } });
    await a.elector.release();
    expect(a.stopped).toBe(1);
    expect(a.leadership?.aborted).toBe(true);
    await until(() => leading(b));
    expect(store.get('op')?.spec?.holderIdentity).toBe('b');
  });

  it('rejects inconsistent durations', () => {
    const base = {
      coordination: new FakeLeaseStore().api(newCaller()),
      namespace: 'ns',
      name: 'op',
      identity: 'a',
      logger: silentLogger(),
      onStartedLeading: () => {},
      onStoppedLeading: () => {},
    };
    expect(
      () =>
        new LeaderElector({
          ...base,
          leaseDurationMs: 1000,
          renewDeadlineMs: 1000,
          retryPeriodMs: 100,
        }),
    ).toThrow(RangeError);
    expect(
      () =>
        new LeaderElector({
          ...base,
          leaseDurationMs: 2000,
          renewDeadlineMs: 1000,
          retryPeriodMs: 900,
        }),
    ).toThrow(RangeError);
  });
});
