import { setTimeout as sleep } from 'node:timers/promises';
import type { CoordinationV1Api } from '@kubernetes/client-node';
import { LeaseClaim } from '../../operator/kube/lease/claim.ts';
import { holderOf, monotonicNow } from '../../operator/kube/lease/observation.ts';
import type { LeaseRenewer } from '../../operator/kube/lease/renewer.ts';
import { MUTEX_LABEL, holdsOf, mutexAnnotations, mutexHash, mutexLeaseName } from './lease.ts';
import { MutexError, type LeaseMutexOptions } from './options.ts';
import { mutexRenewer } from './renewal.ts';

export {
  MUTEX_HOLDS_ANNOTATION,
  MUTEX_KEY_ANNOTATION,
  MUTEX_LABEL,
  mutexLeaseName,
} from './lease.ts';
export { MutexError, type LeaseMutexOptions } from './options.ts';

/**
 * fastflow's `Keeper.NewMutex(key)`, the Kubernetes way: a distributed lock
 * held as a `coordination.k8s.io` Lease named after the key's hash, written
 * through a `LeaseClaim`.
 *
 * - acquire = create the Lease, or take it over with a replace conditioned on
 *   the resourceVersion we read (of two racers one gets 409 and keeps
 *   waiting) when its holder is empty, or has not changed the record for a
 *   whole ttl **measured on our clock since we first saw that record** (the
 *   remote renewTime is never compared with local time: clock skew);
 * - while held, renewed every ttl/3; `unlock()` deletes it (conditioned on its
 *   resourceVersion) so a waiter gets it at once;
 * - an API error is thrown to the caller, never mistaken for a lock (fastflow's
 *   Mongo mutex returned success on a DB error, §13.17);
 * - reentrant: the holds of one identity are counted in the Lease, and it is
 *   freed when the count returns to 0.
 *
 * A lease is not a fence: a holder paused longer than the ttl (GC, a frozen
 * VM) may still be running its critical section when another takes over.
 * Watch `signal` (aborted when the lock is lost) and keep the work itself
 * idempotent or conditioned (resourceVersion preconditions).
 */
export class LeaseMutex {
  readonly name: string;
  readonly #o: Required<Omit<LeaseMutexOptions, 'onLost' | 'now'>> &
    Pick<LeaseMutexOptions, 'onLost'>;
  readonly #now: () => number;
  readonly #claim: LeaseClaim;
  readonly #renewer: LeaseRenewer;
  /** How many times this object holds the lock (0 = not held). */
  #holds = 0;
  #lost = new AbortController();
  #attemptBegan = 0;
  // One attempt or release at a time per object.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(coordination: CoordinationV1Api, opts: LeaseMutexOptions) {
    if (!opts.namespace) throw new MutexError('LeaseMutex: namespace is required');
    if (!opts.key) throw new MutexError('LeaseMutex: key must be a non-empty string');
    if (!opts.identity) throw new MutexError('LeaseMutex: identity must be a non-empty string');
    const ttlSecs = opts.ttlSecs ?? 30;
    if (!(ttlSecs > 0) || !Number.isFinite(ttlSecs)) {
      throw new MutexError(`LeaseMutex: ttlSecs must be a positive number, got ${ttlSecs}`);
    }
    this.#o = {
      namespace: opts.namespace,
      key: opts.key,
      identity: opts.identity,
      ttlSecs,
      reentrant: opts.reentrant ?? false,
      pollIntervalMs: opts.pollIntervalMs ?? 120,
      onLost: opts.onLost,
    };
    this.#now = opts.now ?? monotonicNow;
    this.name = mutexLeaseName(opts.key);
    const { namespace, key, identity } = this.#o;
    const ttlMs = ttlSecs * 1000;
    this.#claim = new LeaseClaim({
      coordination,
      namespace,
      name: this.name,
      identity,
      durationMs: ttlMs,
      // A hung call must not eat the renew budget.
      callTimeoutMs: Math.max(500, Math.min(10_000, ttlMs / 3)),
      labels: { [MUTEX_LABEL]: mutexHash(key) },
      now: this.#now,
    });
    this.#renewer = mutexRenewer({
      key,
      identity,
      ttlSecs,
      now: this.#now,
      claim: this.#claim,
      loseLock: (message) => this.#loseLock(message),
    });
    this.#lost.abort(new MutexError('not locked'));
  }

  /** Whether this object holds the lock (as far as it knows: see `signal`). */
  get held(): boolean {
    return this.#holds > 0;
  }

  /** Aborted when the current hold ends: lost (renewals failed for a ttl, taken over) or unlocked. */
  get signal(): AbortSignal {
    return this.#lost.signal;
  }

  /**
   * Waits until the lock is ours, polling every ~100–200 ms. Rejects with the
   * signal's reason when `signal` aborts, with a `KubeApiError` when the API
   * fails, and with a `MutexError` when this (non-reentrant) object already
   * holds it: waiting for ourselves would never end.
   */
  async lock(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      if (await this.#serial(() => this.#attempt(signal))) {
        if (signal?.aborted) {
          // Acquired in the same instant the caller gave up: give it back.
          await this.unlock().catch(() => {});
          signal.throwIfAborted();
        }
        return;
      }
      const pause = this.#o.pollIntervalMs * (1 + Math.random() * 0.5);
      await sleep(pause, undefined, signal ? { signal } : {}).catch(() => {});
    }
  }

  /**
   * One attempt: true when the lock is ours afterwards. A holder that went
   * silent is only taken over once this object has seen its record unchanged
   * for a whole ttl, so the first call on a stale lock returns false.
   */
  tryLock(): Promise<boolean> {
    return this.#serial(() => this.#attempt());
  }

  /**
   * Releases one hold; the Lease is deleted when no hold is left. Refused with
   * a `MutexError` when this object does not hold the lock, or when it was
   * lost meanwhile (the Lease is then left to its new holder untouched).
   */
  unlock(): Promise<void> {
    return this.#serial(() => this.#release());
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #attempt(signal?: AbortSignal): Promise<boolean> {
    const { key, identity, reentrant } = this.#o;
    this.#attemptBegan = this.#now();
    this.#checkNotHeldByUs();
    const lease = await this.#claim.read(signal);
    const holder = holderOf(lease);
    this.#checkStillOurs(holder);
    if (!lease) {
      return (await this.#claim.create(mutexAnnotations(key, 1))) ? this.#acquired() : false;
    }
    // Re-entered: count one more hold in the Lease (shared by every object of this identity).
    const reentered = holder === identity && (reentrant || this.#holds > 0);
    if (!reentered && !this.#claim.expired()) return false;
    const holds = reentered ? holdsOf(lease) + 1 : 1;
    const updated = await this.#claim.acquire(lease, mutexAnnotations(key, holds, lease));
    return updated ? this.#acquired() : false;
  }

  /** Locking a held non-reentrant mutex again would wait for ourselves forever. */
  #checkNotHeldByUs(): void {
    if (this.#holds > 0 && !this.#o.reentrant) {
      throw new MutexError(
        `mutex "${this.#o.key}" is already locked by this LeaseMutex (${this.#o.identity}) and is not reentrant`,
      );
    }
  }

  /** Re-entering a hold that was lost meanwhile: say so rather than start afresh. */
  #checkStillOurs(holder: string): void {
    if (this.#holds > 0 && holder !== this.#o.identity) {
      this.#loseLock(`mutex "${this.#o.key}" was lost: it is now held by "${holder || 'nobody'}"`);
    }
  }

  #acquired(): true {
    if (this.#holds === 0) {
      this.#lost = new AbortController();
      void this.#renewer.start(this.#attemptBegan);
    }
    this.#holds++;
    return true;
  }

  async #release(): Promise<void> {
    const { key, identity } = this.#o;
    if (this.#holds === 0) {
      throw new MutexError(`mutex "${key}" is not locked by this LeaseMutex (${identity})`);
    }
    const last = this.#holds === 1;
    if (last) await this.#renewer.stop();
    try {
      for (let tries = 0; ; tries++) {
        if (await this.#releaseOnce()) break;
        if (tries >= 20) throw new MutexError(`mutex "${key}": the Lease keeps changing; retry`);
      }
    } catch (e) {
      if (e instanceof MutexError && this.#holds === 0) throw e; // lost: already cleaned up
      // Still ours on the server: keep it alive.
      if (last) void this.#renewer.start(this.#renewer.renewedAt);
      throw e;
    }
    this.#holds--;
    if (this.#holds === 0) this.#lost.abort(new MutexError('unlocked'));
  }

  /**
   * One read and one conditioned write giving back one hold: the count goes
   * down, or the Lease is deleted (conditioned on its uid and
   * resourceVersion) when it was the last. False when someone wrote in between.
   */
  async #releaseOnce(): Promise<boolean> {
    const { key, identity } = this.#o;
    const lease = await this.#claim.read();
    if (!lease) this.#loseLock(`mutex "${key}" was lost: its Lease is gone`);
    const holder = holderOf(lease);
    if (holder !== identity) {
      this.#loseLock(`mutex "${key}" was lost: it is now held by "${holder || 'nobody'}"`);
    }
    const holds = holdsOf(lease);
    if (holds > 1) {
      return (
        (await this.#claim.acquire(lease, mutexAnnotations(key, holds - 1, lease))) !== undefined
      );
    }
    const { uid, resourceVersion } = lease.metadata ?? {};
    return this.#claim.delete({ uid, resourceVersion });
  }

  /** Marks every hold of this object lost, tells `onLost`, and throws the error. */
  #loseLock(message: string): never {
    const error = new MutexError(message);
    if (this.#holds > 0) {
      this.#holds = 0;
      void this.#renewer.stop();
      this.#lost.abort(error);
      try {
        this.#o.onLost?.(error);
      } catch {
        // a throwing callback must not break the renew loop
      }
    }
    throw error;
  }
}
