import { afterEach, describe, expect, it } from 'vitest';
import { FakeLeaseStore, newCaller, type Caller } from '../../test/support/fake-lease-api.ts';
import { HeartbeatLease } from './heartbeat-lease.ts';

const started: HeartbeatLease[] = [];
afterEach(async () => {
  for (const h of started.splice(0)) await h.stop();
});

function heartbeat(store: FakeLeaseStore, caller: Caller, lost: { count: number }): HeartbeatLease {
  const h = new HeartbeatLease({
    coordination: store.api(caller),
    namespace: 'ns',
    name: 'worker-1',
    identity: 'worker-1',
    leaseDurationSeconds: 1,
    renewIntervalMs: 50,
    labels: { 'fastflow.io/worker': '' },
    annotations: { 'fastflow.io/actions': '["a"]', 'fastflow.io/capacity': '4' },
    onLost: () => lost.count++,
  });
  started.push(h);
  return h;
}

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

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
    await until(() => caller.calls.filter((c) => c === 'patch').length >= 2);
    const renewed = String(store.get('worker-1')?.spec?.renewTime);
    expect(renewed).toMatch(/\.\d{6}Z$/);
    expect(renewed > first).toBe(true);
  });

  it('publishes changed annotations with the next renewal, deleting removed keys', async () => {
    const store = new FakeLeaseStore();
    const h = heartbeat(store, newCaller(), { count: 0 });
    await h.start();
    h.setAnnotations({ 'fastflow.io/actions': '["a","b"]' });
    await until(
      () => store.get('worker-1')?.metadata?.annotations?.['fastflow.io/actions'] === '["a","b"]',
    );
    expect(store.get('worker-1')?.metadata?.annotations).toEqual({
      'fastflow.io/actions': '["a","b"]',
    });
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

  it('calls onLost once after a lease duration without a renewal, and recovers', async () => {
    const store = new FakeLeaseStore();
    const caller = newCaller();
    const lost = { count: 0 };
    await heartbeat(store, caller, lost).start();
    caller.mode = 'fail';
    const failedAt = Date.now();
    await until(() => lost.count === 1);
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(900);
    await new Promise((r) => setTimeout(r, 200));
    expect(lost.count).toBe(1);
    caller.mode = 'ok';
    const before = caller.calls.length;
    await until(() => caller.calls.length > before + 1);
    expect(lost.count).toBe(1);
  });

  it('re-creates the lease when it was deleted under it', async () => {
    const store = new FakeLeaseStore();
    await heartbeat(store, newCaller(), { count: 0 }).start();
    store.leases.delete('worker-1');
    await until(() => store.get('worker-1') !== undefined);
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
    await new Promise((r) => setTimeout(r, 150));
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
  });
});
