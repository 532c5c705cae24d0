import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeLeaseStore, newCaller, type Caller } from '../../test/support/fake-lease-api.ts';
import { HeartbeatLease, lostMargin } from './heartbeat-lease.ts';

const RENEW_MS = 50;
const LEASE_MS = 1000;
// The heartbeat gives up this much before its Lease runs out.
const LOST_MS = LEASE_MS - lostMargin(LEASE_MS);

// Fake timers drive the renewals, the lost deadline and the clocks.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
});
const started: HeartbeatLease[] = [];
afterEach(async () => {
  for (const h of started.splice(0)) await h.stop();
  vi.useRealTimers();
});

function heartbeat(
  store: FakeLeaseStore,
  caller: Caller,
  lost: { count: number },
  outageToleranceMs?: number,
): HeartbeatLease {
  const h = new HeartbeatLease({
    ...(outageToleranceMs ? { outageToleranceMs } : {}),
    coordination: store.api(caller),
    namespace: 'ns',
    name: 'worker-1',
    identity: 'worker-1',
    leaseDurationSeconds: LEASE_MS / 1000,
    renewIntervalMs: RENEW_MS,
    labels: { 'fastflow.io/worker': '' },
    annotations: { 'fastflow.io/actions': '["a"]', 'fastflow.io/capacity': '4' },
    onLost: () => lost.count++,
  });
  started.push(h);
  return h;
}

const writes = (caller: Caller): number =>
  caller.calls.filter((c) => c === 'replace' || c === 'create').length;

describe('HeartbeatLease', () => {
  it('creates the lease with labels, annotations and a MicroTime renewTime, then renews it', async () => {
    const store = new FakeLeaseStore();
    const caller = newCaller();
    await heartbeat(store, caller, { count: 0 }).start();
    const lease = store.get('worker-1');
    expect(lease?.metadata?.labels).toEqual({ 'fastflow.io/worker': '' });
    expect(lease?.metadata?.annotations).toEqual({
      'fastflow.io/actions': '["a"]',
      'fastflow.io/capacity': '4',
    });
    expect(lease?.spec).toMatchObject({ holderIdentity: 'worker-1', leaseDurationSeconds: 1 });
    const first = String(lease?.spec?.renewTime);
    expect(first).toMatch(/\.\d{6}Z$/);
    await vi.advanceTimersByTimeAsync(2 * RENEW_MS);
    expect(writes(caller)).toBe(3);
    const renewed = String(store.get('worker-1')?.spec?.renewTime);
    expect(renewed).toMatch(/\.\d{6}Z$/);
    expect(renewed > first).toBe(true);
  });

  it('renewals leave the annotations alone, others included', async () => {
    const store = new FakeLeaseStore();
    await heartbeat(store, newCaller(), { count: 0 }).start();
    const current = store.get('worker-1');
    const annotations = { ...current?.metadata?.annotations, note: 'by kubectl' };
    store.put({ ...current, metadata: { ...current?.metadata, annotations } });
    await vi.advanceTimersByTimeAsync(2 * RENEW_MS);
    expect(store.get('worker-1')?.metadata?.annotations).toEqual(annotations);
  });

  it('takes over a lease of its name left by an earlier run', async () => {
    const store = new FakeLeaseStore();
    store.put({
      metadata: {
        name: 'worker-1',
        namespace: 'ns',
        labels: { other: 'x' },
        annotations: { old: 'y' },
      },
      spec: { holderIdentity: 'worker-1-old', leaseTransitions: 2 },
    });
    await heartbeat(store, newCaller(), { count: 0 }).start();
    const lease = store.get('worker-1');
    expect(lease?.spec).toMatchObject({ holderIdentity: 'worker-1', leaseTransitions: 3 });
    expect(lease?.metadata?.labels).toEqual({ other: 'x', 'fastflow.io/worker': '' });
    expect(lease?.metadata?.annotations).toEqual({
      'fastflow.io/actions': '["a"]',
      'fastflow.io/capacity': '4',
    });
  });

  it('takes its lease back at the next renewal when someone else wrote it', async () => {
    const store = new FakeLeaseStore();
    await heartbeat(store, newCaller(), { count: 0 }).start();
    const current = store.get('worker-1');
    store.put({ ...current, spec: { ...current?.spec, holderIdentity: 'intruder' } });
    await vi.advanceTimersByTimeAsync(RENEW_MS);
    expect(store.get('worker-1')?.spec).toMatchObject({
      holderIdentity: 'worker-1',
      leaseTransitions: 1,
    });
  });

  it('calls onLost once after a lease duration less its margin without a renewal, and again only after recovering', async () => {
    const store = new FakeLeaseStore();
    const caller = newCaller();
    const lost = { count: 0 };
    await heartbeat(store, caller, lost).start();
    caller.mode = 'fail';
    await vi.advanceTimersByTimeAsync(LOST_MS - 1);
    expect(lost.count).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(lost.count).toBe(1);
    // Renewing goes on, failing, without telling again.
    const calls = caller.calls.length;
    await vi.advanceTimersByTimeAsync(5 * LEASE_MS);
    expect(caller.calls.length).toBeGreaterThan(calls);
    expect(lost.count).toBe(1);
    // A success re-arms it.
    caller.mode = 'ok';
    await vi.advanceTimersByTimeAsync(RENEW_MS);
    expect(store.get('worker-1')?.spec?.holderIdentity).toBe('worker-1');
    caller.mode = 'fail';
    await vi.advanceTimersByTimeAsync(LOST_MS);
    expect(lost.count).toBe(2);
  });

  it('counts the lost deadline from when the last successful renewal was SENT, not answered', async () => {
    const store = new FakeLeaseStore();
    const caller = newCaller();
    const lost = { count: 0 };
    await heartbeat(store, caller, lost).start();
    caller.delayMs = 40; // the next renewal is sent at RENEW_MS, answered 40 ms later
    await vi.advanceTimersByTimeAsync(RENEW_MS + 40);
    caller.delayMs = 0;
    caller.mode = 'deny';
    const sent = RENEW_MS;
    await vi.advanceTimersByTimeAsync(sent + LOST_MS - 1 - (RENEW_MS + 40));
    expect(lost.count).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(lost.count).toBe(1);
  });

  it('bears an API server that does not answer up to its outage tolerance, not one that says no', async () => {
    const TOLERANCE_MS = 5 * LEASE_MS;
    const lost = { count: 0 };
    const caller = newCaller();
    await heartbeat(new FakeLeaseStore(), caller, lost, TOLERANCE_MS).start();
    caller.mode = 'fail';
    await vi.advanceTimersByTimeAsync(TOLERANCE_MS - 1);
    expect(lost.count).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(lost.count).toBe(1);

    const denied = { count: 0 };
    const other = newCaller();
    await heartbeat(new FakeLeaseStore(), other, denied, TOLERANCE_MS).start();
    other.mode = 'deny';
    await vi.advanceTimersByTimeAsync(LOST_MS);
    expect(denied.count).toBe(1);
  });

  it('re-creates the lease when it was deleted under it', async () => {
    const store = new FakeLeaseStore();
    await heartbeat(store, newCaller(), { count: 0 }).start();
    store.leases.delete('worker-1');
    await vi.advanceTimersByTimeAsync(RENEW_MS);
    expect(store.get('worker-1')?.metadata?.annotations?.['fastflow.io/capacity']).toBe('4');
  });

  it('stop() ends the renewals and deletes the lease', async () => {
    const store = new FakeLeaseStore();
    const caller = newCaller();
    const h = heartbeat(store, caller, { count: 0 });
    await h.start();
    await h.stop();
    expect(store.get('worker-1')).toBeUndefined();
    const calls = caller.calls.length;
    await vi.advanceTimersByTimeAsync(10 * RENEW_MS);
    expect(caller.calls.length).toBe(calls);
  });

  it('stop() spares a lease that was re-created by someone else', async () => {
    const store = new FakeLeaseStore();
    const h = heartbeat(store, newCaller(), { count: 0 });
    await h.start();
    const current = store.get('worker-1');
    store.leases.delete('worker-1');
    store.put({ ...current, metadata: { name: 'worker-1', namespace: 'ns' } });
    await h.stop();
    expect(store.get('worker-1')).toBeDefined();
  });

  it('start() fails when the lease cannot be written', async () => {
    const caller = newCaller();
    caller.mode = 'fail';
    await expect(heartbeat(new FakeLeaseStore(), caller, { count: 0 }).start()).rejects.toThrow(
      /ECONNREFUSED/,
    );
    const denied = newCaller();
    denied.mode = 'deny';
    const h = heartbeat(new FakeLeaseStore(), denied, { count: 0 }, 5 * LEASE_MS);
    await expect(h.start()).rejects.toThrow(/403|forbidden/i);
  });

  it('start() tries again while the API server gives no answer, within its outage tolerance', async () => {
    const store = new FakeLeaseStore();
    const caller = newCaller();
    caller.mode = 'fail';
    const starting = heartbeat(store, caller, { count: 0 }, 5 * LEASE_MS).start();
    await vi.advanceTimersByTimeAsync(LEASE_MS);
    expect(store.get('worker-1')).toBeUndefined();
    caller.mode = 'ok';
    await vi.advanceTimersByTimeAsync(LEASE_MS);
    await starting;
    expect(store.get('worker-1')?.spec?.holderIdentity).toBe('worker-1');

    const silent = newCaller();
    silent.mode = 'fail';
    const giving = heartbeat(new FakeLeaseStore(), silent, { count: 0 }, 5 * LEASE_MS).start();
    const failed = expect(giving).rejects.toThrow(/ECONNREFUSED/);
    await vi.advanceTimersByTimeAsync(5 * LEASE_MS);
    await failed;
  });
});
