import {
  ApiException,
  type CoordinationV1Api,
  type CoordinationV1ApiDeleteNamespacedLeaseRequest,
  type V1Lease,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  FakeLeaseStore,
  callsOf,
  moreAttempts,
  newCaller,
  type Caller,
} from '../../test/support/fake-lease-api.ts';
import { until } from '../../test/support/until.ts';
import { KubeApiError } from '../../operator/kube/errors.ts';
import {
  LeaseMutex,
  MUTEX_HOLDS_ANNOTATION,
  MUTEX_KEY_ANNOTATION,
  MUTEX_LABEL,
  MutexError,
  mutexLeaseName,
  type LeaseMutexOptions,
} from './mutex.ts';

const TTL_SECS = 0.3;
const NAME = mutexLeaseName('deploy-prod');

// The shared fake checks only the uid precondition on delete; the API server
// also checks resourceVersion, which the mutex relies on.
function leaseApi(store: FakeLeaseStore, caller: Caller): CoordinationV1Api {
  const base = store.api(caller);
  const deleteLease = base.deleteNamespacedLease.bind(base);
  return Object.assign({}, base, {
    deleteNamespacedLease: async (p: CoordinationV1ApiDeleteNamespacedLeaseRequest) => {
      const wanted = p.body?.preconditions?.resourceVersion;
      const current = store.get(p.name)?.metadata?.resourceVersion;
      if (current !== undefined && wanted !== undefined && wanted !== current) {
        throw new ApiException(409, 'fake', JSON.stringify({ code: 409, reason: 'Conflict' }), {});
      }
      return deleteLease(p);
    },
  });
}

function mutex(
  store: FakeLeaseStore,
  identity: string,
  opts: Partial<LeaseMutexOptions> = {},
  caller = newCaller(),
): { m: LeaseMutex; caller: Caller; lost: MutexError[] } {
  const lost: MutexError[] = [];
  const m = new LeaseMutex(leaseApi(store, caller), {
    namespace: 'ns',
    key: 'deploy-prod',
    identity,
    ttlSecs: TTL_SECS,
    pollIntervalMs: 20,
    onLost: (e) => lost.push(e),
    ...opts,
  });
  return { m, caller, lost };
}

describe('LeaseMutex', () => {
  it('holds the lock as a Lease named after the key hash, with MicroTime timestamps', async () => {
    const store = new FakeLeaseStore();
    const { m } = mutex(store, 'worker-a');
    expect(NAME).toMatch(/^fastflow-mutex-[0-9a-f]{16}$/);
    await m.lock();
    expect(m.held).toBe(true);
    const lease = store.get(NAME);
    expect(lease?.metadata?.labels?.[MUTEX_LABEL]).toBe(NAME.slice('fastflow-mutex-'.length));
    expect(lease?.metadata?.annotations).toMatchObject({
      [MUTEX_KEY_ANNOTATION]: 'deploy-prod',
      [MUTEX_HOLDS_ANNOTATION]: '1',
    });
    expect(lease?.spec).toMatchObject({ holderIdentity: 'worker-a', leaseDurationSeconds: 1 });
    expect(String(lease?.spec?.renewTime)).toMatch(/\.\d{6}Z$/);
    await m.unlock();
    expect(m.held).toBe(false);
    expect(store.get(NAME)).toBeUndefined();
  });

  it('refuses a second holder until the first unlocks, then hands it over at once', async () => {
    const store = new FakeLeaseStore();
    const a = mutex(store, 'a').m;
    // b's clock stands still: it can never wait out a ttl, only see the lock freed.
    const b = mutex(store, 'b', { now: () => 0 });
    await a.lock();
    expect(await b.m.tryLock()).toBe(false);
    let bHas = false;
    const waiting = b.m.lock().then(() => (bHas = true));
    await moreAttempts(b.caller, 3);
    expect(bHas).toBe(false);
    await a.unlock();
    await waiting;
    expect(store.get(NAME)?.spec?.holderIdentity).toBe('b');
    await b.m.unlock();
  });

  it('keeps the lock while renewing, well past the ttl', async () => {
    const store = new FakeLeaseStore();
    const a = mutex(store, 'a');
    // b's clock ticks one poll (20 ms) per attempt: 20 attempts span more than a ttl on it.
    const ticks = newCaller();
    const b = mutex(store, 'b', { now: () => callsOf(ticks, 'read') * 20 }, ticks);
    await a.m.lock();
    const giveUp = new AbortController();
    const gaveUp = b.m.lock(giveUp.signal);
    await until(() => callsOf(a.caller, 'replace') >= 5 && callsOf(b.caller, 'read') >= 20);
    giveUp.abort(new Error('gave up'));
    await expect(gaveUp).rejects.toThrow('gave up');
    expect(a.m.held).toBe(true);
    expect(a.lost).toEqual([]);
    expect(callsOf(a.caller, 'replace')).toBeGreaterThanOrEqual(5);
    await a.m.unlock();
  });

  it('takes over from a holder that stopped renewing, after a ttl on its own clock', async () => {
    const store = new FakeLeaseStore();
    const a = mutex(store, 'a');
    const clock = { now: 0 }; // b's take-over clock, moved by hand
    const b = mutex(store, 'b', { now: () => clock.now });
    await a.m.lock();
    a.caller.mode = 'fail'; // a dies: no more renewals, no unlock
    let bHas = false;
    const locking = b.m.lock().then(() => (bHas = true));
    await moreAttempts(b.caller, 3);
    clock.now = TTL_SECS * 1000 - 1;
    await moreAttempts(b.caller, 3);
    expect(bHas).toBe(false);
    clock.now = TTL_SECS * 1000;
    await locking;
    expect(store.get(NAME)?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    // a finds out on its own: renewals failed for a whole ttl.
    await until(() => !a.m.held);
    expect(a.m.signal.aborted).toBe(true);
    expect(a.lost[0]?.message).toMatch(/not renewed/);
    // and its late unlock cannot free b's lock.
    a.caller.mode = 'ok';
    await expect(a.m.unlock()).rejects.toThrow(MutexError);
    expect(store.get(NAME)?.spec?.holderIdentity).toBe('b');
    await b.m.unlock();
  });

  it('a holder whose lock was taken over learns it at its next renewal', async () => {
    const store = new FakeLeaseStore();
    const a = mutex(store, 'a');
    await a.m.lock();
    const lease = store.get(NAME) as V1Lease;
    store.put({ ...lease, spec: { ...lease.spec, holderIdentity: 'intruder' } });
    await until(() => !a.m.held);
    expect(a.lost[0]?.message).toContain('taken over by "intruder"');
    await expect(a.m.unlock()).rejects.toThrow(/not locked by this LeaseMutex/);
    expect(store.get(NAME)?.spec?.holderIdentity).toBe('intruder');
  });

  it('never compares the remote renewTime with local time', async () => {
    const store = new FakeLeaseStore();
    // A holder whose clock is years behind: its renewTime looks ancient.
    store.put({
      metadata: { name: NAME, namespace: 'ns' },
      spec: { holderIdentity: 'ghost', renewTime: '2000-01-01T00:00:00.000000Z' as never },
    });
    const clock = { now: 0 }; // b's take-over clock, moved by hand
    const { m } = mutex(store, 'b', { now: () => clock.now });
    expect(await m.tryLock()).toBe(false); // first sight of the record starts our clock
    clock.now = TTL_SECS * 1000 - 1;
    expect(await m.tryLock()).toBe(false);
    clock.now = TTL_SECS * 1000;
    expect(await m.tryLock()).toBe(true);
    await m.unlock();
  });

  it('takes a lock with an empty holder at once', async () => {
    const store = new FakeLeaseStore();
    store.put({ metadata: { name: NAME, namespace: 'ns' }, spec: { holderIdentity: '' } });
    const { m } = mutex(store, 'b');
    expect(await m.tryLock()).toBe(true);
    await m.unlock();
  });

  it('§13.17 throws an API error instead of pretending to hold the lock', async () => {
    const store = new FakeLeaseStore();
    const { m, caller } = mutex(store, 'a');
    caller.mode = 'fail';
    await expect(m.lock()).rejects.toThrow(/ECONNREFUSED/);
    expect(m.held).toBe(false);

    // A refusal by the API server is a KubeApiError naming the reason.
    const refusing = Object.assign({}, store.api(newCaller()), {
      readNamespacedLease: () => {
        throw new ApiException(
          403,
          'x',
          JSON.stringify({ code: 403, reason: 'Forbidden', message: 'leases is forbidden' }),
          {},
        );
      },
    }) as CoordinationV1Api;
    const denied = new LeaseMutex(refusing, { namespace: 'ns', key: 'k', identity: 'a' });
    const err: unknown = await denied.tryLock().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).message).toBe('leases is forbidden');
  });

  it('is reentrant for one identity when asked, counting holds in the Lease', async () => {
    const store = new FakeLeaseStore();
    const first = mutex(store, 'w-1', { reentrant: true }).m;
    const second = mutex(store, 'w-1', { reentrant: true }).m; // another object, same identity
    const other = mutex(store, 'w-2', { reentrant: true }).m;
    await first.lock();
    await first.lock();
    await second.lock();
    expect(store.get(NAME)?.metadata?.annotations?.[MUTEX_HOLDS_ANNOTATION]).toBe('3');
    expect(await other.tryLock()).toBe(false);
    await first.unlock();
    await first.unlock();
    expect(first.held).toBe(false);
    expect(store.get(NAME)?.metadata?.annotations?.[MUTEX_HOLDS_ANNOTATION]).toBe('1');
    expect(await other.tryLock()).toBe(false);
    await expect(first.unlock()).rejects.toThrow(/not locked by this LeaseMutex/);
    await second.unlock();
    expect(store.get(NAME)).toBeUndefined();
    expect(await other.tryLock()).toBe(true);
    await other.unlock();
  });

  it('is not reentrant by default: locking again is an error, not a deadlock', async () => {
    const store = new FakeLeaseStore();
    const { m } = mutex(store, 'a');
    await m.lock();
    await expect(m.lock()).rejects.toThrow(/already locked by this LeaseMutex .* not reentrant/);
    // Another object with the same identity waits like anyone else.
    expect(await mutex(store, 'a').m.tryLock()).toBe(false);
    await m.unlock();
  });

  it('refuses an unlock by a non-holder and leaves the lock alone', async () => {
    const store = new FakeLeaseStore();
    const a = mutex(store, 'a').m;
    const b = mutex(store, 'b').m;
    await a.lock();
    await expect(b.unlock()).rejects.toThrow(MutexError);
    expect(store.get(NAME)?.spec?.holderIdentity).toBe('a');
    expect(a.held).toBe(true);
    await a.unlock();
  });

  it('stops waiting when the signal aborts', async () => {
    const store = new FakeLeaseStore();
    await mutex(store, 'a').m.lock();
    const b = mutex(store, 'b');
    const ac = new AbortController();
    const waiting = b.m.lock(ac.signal);
    await moreAttempts(b.caller, 2);
    ac.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    expect(b.m.held).toBe(false);
  });

  it('lets exactly one of several contenders into the critical section at a time', async () => {
    const store = new FakeLeaseStore();
    let inside = 0;
    let maxInside = 0;
    const entries: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map(async (id) => {
        const { m } = mutex(store, id);
        for (let i = 0; i < 3; i++) {
          await m.lock();
          inside++;
          maxInside = Math.max(maxInside, inside);
          entries.push(id);
          await new Promise((r) => setTimeout(r, 5));
          inside--;
          await m.unlock();
        }
      }),
    );
    expect(maxInside).toBe(1);
    expect(entries.sort()).toEqual(['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c']);
  });

  it('validates its options', () => {
    const api = new FakeLeaseStore().api(newCaller());
    expect(() => new LeaseMutex(api, { namespace: 'ns', key: '', identity: 'a' })).toThrow(/key/);
    expect(() => new LeaseMutex(api, { namespace: 'ns', key: 'k', identity: '' })).toThrow(
      /identity/,
    );
    expect(
      () => new LeaseMutex(api, { namespace: 'ns', key: 'k', identity: 'a', ttlSecs: 0 }),
    ).toThrow(/ttlSecs/);
  });
});
