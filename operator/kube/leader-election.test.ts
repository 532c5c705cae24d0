import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { FakeLeaseStore, newCaller, type Caller } from '../../test/support/fake-lease-api.ts';
import { LeaderElector } from './leader-election.ts';
import { microTime } from './time.ts';

const LEASE_MS = 400;
const RENEW_DEADLINE_MS = 300;
const RETRY_MS = 50;

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

function candidate(store: FakeLeaseStore, identity: string): Candidate {
  const caller = newCaller();
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
      leaseDurationMs: LEASE_MS,
      renewDeadlineMs: RENEW_DEADLINE_MS,
      retryPeriodMs: RETRY_MS,
      logger: silentLogger(),
      onStartedLeading: (signal) => {
        c.started++;
        c.leadership = signal;
      },
      onStoppedLeading: () => c.stopped++,
    }),
  };
  c.done = c.elector.run(c.stop.signal);
  running.push(c);
  return c;
}

async function until(cond: () => boolean, timeoutMs = 5000): Promise<number> {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > timeoutMs) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - start;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('LeaderElector', () => {
  it('creates the lease, leads, and writes MicroTime timestamps', async () => {
    const store = new FakeLeaseStore();
    const a = candidate(store, 'a');
    await until(() => a.elector.isLeader());
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
    await until(() => a.elector.isLeader());
    const b = candidate(store, 'b');
    await sleep(LEASE_MS * 3);
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    expect(b.started).toBe(0);
    const renewTimes = a.caller.calls.filter((c) => c === 'replace').length;
    expect(renewTimes).toBeGreaterThan(5);
  });

  it('a leader that cannot renew stops at renewDeadline; a standby takes over after leaseDuration', async () => {
    const store = new FakeLeaseStore();
    const a = candidate(store, 'a');
    await until(() => a.elector.isLeader());
    const b = candidate(store, 'b');
    await sleep(RETRY_MS * 2);
    a.caller.mode = 'fail';
    const failedAt = performance.now();
    await until(() => a.stopped === 1);
    expect(a.leadership?.aborted).toBe(true);
    expect(a.elector.isLeader()).toBe(false);
    await a.done; // run() resolves once leading ended
    expect(performance.now() - failedAt).toBeLessThan(RENEW_DEADLINE_MS + 150);
    await until(() => b.elector.isLeader());
    // The last renew of `a` happened before failedAt; `b` waits a full leaseDuration after it.
    expect(performance.now() - failedAt).toBeGreaterThanOrEqual(LEASE_MS - RETRY_MS * 2);
    expect(store.get('op')?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('stops leading at renewDeadline even while a renew request hangs; calls time out at renewDeadline/2', async () => {
    const store = new FakeLeaseStore();
    const a = candidate(store, 'a');
    await until(() => a.elector.isLeader());
    a.caller.mode = 'hang';
    const elapsed = await until(() => a.stopped === 1);
    expect(elapsed).toBeLessThan(RENEW_DEADLINE_MS + 150);
    await a.done;
    expect(a.caller.timeouts.length).toBeGreaterThan(0);
    for (const t of a.caller.timeouts) expect(t).toBeLessThanOrEqual(RENEW_DEADLINE_MS / 2 + 20);
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
    const b = candidate(store, 'b');
    const waited = await until(() => b.elector.isLeader());
    expect(waited).toBeGreaterThanOrEqual(LEASE_MS - 10);
    expect(store.get('op')?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 8 });
  });

  it('gives up leadership when someone else took the lease', async () => {
    const store = new FakeLeaseStore();
    const a = candidate(store, 'a');
    await until(() => a.elector.isLeader());
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
    await until(() => b.elector.isLeader() || c.elector.isLeader());
    await sleep(LEASE_MS);
    expect([b.elector.isLeader(), c.elector.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(b.started + c.started).toBe(1);
  });

  it('on abort stops leading without releasing; release() then hands over at once', async () => {
    const store = new FakeLeaseStore();
    const a = candidate(store, 'a');
    await until(() => a.elector.isLeader());
    const b = candidate(store, 'b');
    await sleep(RETRY_MS * 2);
    a.stop.abort();
    await a.done;
    expect(a.stopped).toBe(1);
    expect(a.leadership?.aborted).toBe(true);
    expect(store.get('op')?.spec?.holderIdentity).toBe('a');
    await a.elector.release();
    expect(store.get('op')?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    const waited = await until(() => b.elector.isLeader());
    expect(waited).toBeLessThan(LEASE_MS);
    expect(store.get('op')?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    // Releasing a lease we no longer hold changes nothing.
    await a.elector.release();
    expect(store.get('op')?.spec?.holderIdentity).toBe('b');
  });

  it('release() while still leading stops leading first, then hands over', async () => {
    const store = new FakeLeaseStore();
    const a = candidate(store, 'a');
    await until(() => a.elector.isLeader());
    const b = candidate(store, 'b');
    await a.elector.release();
    expect(a.stopped).toBe(1);
    expect(a.leadership?.aborted).toBe(true);
    await until(() => b.elector.isLeader());
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
