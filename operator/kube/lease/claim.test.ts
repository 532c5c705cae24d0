import { ApiException, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { FakeLeaseStore, newCaller, type Caller } from '../../../test/support/fake-lease-api.ts';
import { KubeApiError } from '../errors.ts';
import { microTime } from '../time.ts';
import { LeaseClaim } from './claim.ts';

const DURATION_MS = 1500;

/** A claim on Lease `l` whose take-over clock is `clock.now`, moved by the test. */
function claim(
  store: FakeLeaseStore,
  identity: string,
  clock = { now: 0 },
  caller: Caller = newCaller(),
): LeaseClaim {
  return new LeaseClaim({
    coordination: store.api(caller),
    namespace: 'ns',
    name: 'l',
    identity,
    durationMs: DURATION_MS,
    callTimeoutMs: 50,
    labels: { app: 'test' },
    now: () => clock.now,
  });
}

function held(store: FakeLeaseStore, holder: string, extra: V1Lease = {}): V1Lease {
  store.put({
    metadata: { name: 'l', namespace: 'ns', labels: { other: 'x' }, annotations: { a: '1' } },
    spec: {
      holderIdentity: holder,
      leaseTransitions: 4,
      acquireTime: microTime(new Date(0)) as never,
    },
    ...extra,
  });
  return store.get('l') as V1Lease;
}

describe('LeaseClaim', () => {
  it('creates the Lease as ours with MicroTime timestamps, once', async () => {
    const store = new FakeLeaseStore();
    const created = await claim(store, 'a').create({ note: 'hi' });
    expect(created?.metadata).toMatchObject({
      labels: { app: 'test' },
      annotations: { note: 'hi' },
    });
    expect(created?.spec).toMatchObject({
      holderIdentity: 'a',
      leaseDurationSeconds: 2,
      leaseTransitions: 0,
    });
    expect(String(created?.spec?.renewTime)).toMatch(/\.\d{6}Z$/);
    expect(String(created?.spec?.acquireTime)).toMatch(/\.\d{6}Z$/);
    expect(await claim(store, 'b').create()).toBeUndefined();
    expect(store.get('l')?.spec?.holderIdentity).toBe('a');
  });

  it('renews its own Lease: same acquireTime and transitions, a new renewTime', async () => {
    const store = new FakeLeaseStore();
    const a = claim(store, 'a');
    const first = held(store, 'a');
    const renewed = await a.acquire(first);
    expect(renewed?.spec).toMatchObject({ holderIdentity: 'a', leaseTransitions: 4 });
    expect(String(renewed?.spec?.acquireTime)).toBe(String(first.spec?.acquireTime));
    expect(String(renewed?.spec?.renewTime)).toMatch(/\.\d{6}Z$/);
    // Labels merged, annotations kept unless given.
    expect(renewed?.metadata?.labels).toEqual({ other: 'x', app: 'test' });
    expect(renewed?.metadata?.annotations).toEqual({ a: '1' });
    const annotated = await a.acquire(renewed as V1Lease, { b: '2' });
    expect(annotated?.metadata?.annotations).toEqual({ b: '2' });
  });

  it('takes over another holder: new acquireTime, one more transition', async () => {
    const store = new FakeLeaseStore();
    const lease = held(store, 'ghost');
    const taken = await claim(store, 'b').acquire(lease);
    expect(taken?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 5 });
    expect(String(taken?.spec?.acquireTime)).not.toBe(String(lease.spec?.acquireTime));
  });

  it('writes only over the resourceVersion it read: of two racers one wins', async () => {
    const store = new FakeLeaseStore();
    const lease = held(store, 'ghost');
    const results = await Promise.all([
      claim(store, 'b').acquire(lease),
      claim(store, 'c').acquire(lease),
    ]);
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    store.leases.delete('l');
    expect(await claim(store, 'b').acquire(lease)).toBeUndefined();
  });

  it('lets a held Lease be taken over only once its record stayed unchanged for a duration on our clock', async () => {
    const store = new FakeLeaseStore();
    const clock = { now: 0 };
    const b = claim(store, 'b', clock);
    // A renewTime far in the future, as a holder with a skewed clock writes it.
    held(store, 'ghost', {
      spec: { holderIdentity: 'ghost', renewTime: '2999-01-01T00:00:00.000000Z' as never },
    });
    await b.read();
    expect(b.expired()).toBe(false);
    clock.now = DURATION_MS - 1;
    await b.read();
    expect(b.expired()).toBe(false);
    // The holder renews: the clock starts again.
    held(store, 'ghost');
    await b.read();
    clock.now += DURATION_MS - 1;
    await b.read();
    expect(b.expired()).toBe(false);
    clock.now += 1;
    await b.read();
    expect(b.expired()).toBe(true);
  });

  it('lets a Lease without holder be taken at once', async () => {
    const store = new FakeLeaseStore();
    const b = claim(store, 'b');
    held(store, '');
    await b.read();
    expect(b.expired()).toBe(true);
  });

  it('release() empties the holder with a 1 s duration; a stale release is refused', async () => {
    const store = new FakeLeaseStore();
    const a = claim(store, 'a');
    const lease = held(store, 'a');
    await a.release(lease);
    expect(store.get('l')?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    await expect(a.release(lease)).rejects.toMatchObject({ code: 409 });
  });

  it('delete() honours its preconditions; a Lease already gone counts as deleted', async () => {
    const store = new FakeLeaseStore();
    const a = claim(store, 'a');
    const lease = held(store, 'a');
    expect(await a.delete({ uid: 'someone-else' })).toBe(false);
    expect(store.get('l')).toBeDefined();
    expect(await a.delete({ uid: lease.metadata?.uid })).toBe(true);
    expect(store.get('l')).toBeUndefined();
    expect(await a.delete({ uid: lease.metadata?.uid })).toBe(true);
  });

  it('gives a hung call up on its own deadline', async () => {
    const caller = newCaller();
    caller.mode = 'hang';
    await expect(claim(new FakeLeaseStore(), 'a', undefined, caller).read()).rejects.toThrow();
    expect(caller.aborts).toEqual(['TimeoutError']);
  });

  it('reads nothing as undefined and throws any other failure as a KubeApiError', async () => {
    const store = new FakeLeaseStore();
    expect(await claim(store, 'a').read()).toBeUndefined();
    const forbidden = Object.assign({}, store.api(newCaller()), {
      readNamespacedLease: () =>
        Promise.reject(
          new ApiException(
            403,
            'x',
            JSON.stringify({ code: 403, reason: 'Forbidden', message: 'no' }),
            {},
          ),
        ),
    }) as CoordinationV1Api;
    const denied = new LeaseClaim({
      coordination: forbidden,
      namespace: 'ns',
      name: 'l',
      identity: 'a',
      durationMs: DURATION_MS,
      callTimeoutMs: 1000,
    });
    await expect(denied.read()).rejects.toBeInstanceOf(KubeApiError);
    const caller = newCaller();
    caller.mode = 'fail';
    await expect(claim(store, 'a', undefined, caller).create()).rejects.toThrow(/ECONNREFUSED/);
  });
});
