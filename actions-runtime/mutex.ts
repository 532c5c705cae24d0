import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConfigurationOptions, CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { requestOptions } from '../operator/kube/client.ts';
import { isAlreadyExists, isConflict, isNotFound, toKubeError } from '../operator/kube/errors.ts';
import { toMicroTime } from '../operator/kube/time.ts';
import { LeaseObservation } from '../operator/kube/lease-observation.ts';

/** Label on every mutex Lease (value: the hash in its name), to list or clean them up. */
export const MUTEX_LABEL = 'fastflow.io/mutex';
/** Annotation holding the mutex key as given (the Lease name only carries its hash). */
export const MUTEX_KEY_ANNOTATION = 'fastflow.io/mutex-key';
/** Annotation holding how many times the holder identity has locked it (reentrant mode). */
export const MUTEX_HOLDS_ANNOTATION = 'fastflow.io/mutex-holds';

export type LeaseMutexOptions = {
  /** Namespace of the Lease. */
  namespace: string;
  /** What the lock protects; any string. Every party locking the same key shares one Lease. */
  key: string;
  /** Who holds it (a worker name, a pod name...): written as the Lease's holderIdentity. */
  identity: string;
  /**
   * A holder that has not renewed for this long (measured on the waiter's own
   * clock) is presumed dead and the lock is taken over. Default 30 s, as
   * fastflow's LockTTL. Every party of one key should use the same value.
   */
  ttlSecs?: number;
  /** The same identity may lock again while it holds it; the lock is freed after as many unlocks. */
  reentrant?: boolean;
  /** Base pause between attempts while `lock()` waits (jittered ×1–1.5). Default 120 ms. */
  pollIntervalMs?: number;
  /** Called when a held lock is lost: renewals failed for a whole ttl, or it was taken over. */
  onLost?: (error: MutexError) => void;
  /** Monotonic milliseconds, for the take-over rule; injectable for tests. */
  now?: () => number;
};

/** A mutex misuse or a lock that was lost; API failures are thrown as `KubeApiError`s. */
export class MutexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MutexError';
  }
}

/** The Lease name of a mutex key: `fastflow-mutex-<first 16 hex digits of sha256(key)>`. */
export function mutexLeaseName(key: string): string {
  return `fastflow-mutex-${mutexHash(key)}`;
}

function mutexHash(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * fastflow's `Keeper.NewMutex(key)`, the Kubernetes way: a distributed lock
 * held as a `coordination.k8s.io` Lease named after the key's hash.
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
  readonly #api: CoordinationV1Api;
  readonly #o: Required<Omit<LeaseMutexOptions, 'onLost' | 'now'>> &
    Pick<LeaseMutexOptions, 'onLost'>;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #callTimeoutMs: number;
  /** How many times this object holds the lock (0 = not held). */
  #holds = 0;
  #lost = new AbortController();
  #renewStop: AbortController | undefined;
  #renewLoop: Promise<void> | undefined;
  #lastRenew = 0;
  #attemptBegan = 0;
  // The record as last read and when (our clock) it last changed.
  readonly #observed: LeaseObservation;
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
    this.#api = coordination;
    this.#o = {
      namespace: opts.namespace,
      key: opts.key,
      identity: opts.identity,
      ttlSecs,
      reentrant: opts.reentrant ?? false,
      pollIntervalMs: opts.pollIntervalMs ?? 120,
      onLost: opts.onLost,
    };
    this.#now = opts.now ?? (() => performance.now());
    this.#observed = new LeaseObservation(this.#now);
    this.#ttlMs = ttlSecs * 1000;
    // A hung call must not eat the renew budget.
    this.#callTimeoutMs = Math.max(500, Math.min(10_000, this.#ttlMs / 3));
    this.name = mutexLeaseName(opts.key);
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
    const { identity, reentrant } = this.#o;
    this.#attemptBegan = this.#now();
    this.#checkNotHeldByUs();
    const lease = await this.#read(signal);
    const holder = lease?.spec?.holderIdentity ?? '';
    this.#checkStillOurs(holder);
    if (!lease) return this.#create();
    this.#observe(lease);
    if (holder === identity && (reentrant || this.#holds > 0)) {
      // Re-entered: count one more hold in the Lease (shared by every object of this identity).
      const updated = await this.#replace(lease, { holds: holdsOf(lease) + 1, takeOver: false });
      return updated ? this.#acquired() : false;
    }
    if (holder !== '' && !this.#observed.unchangedFor(this.#ttlMs)) return false;
    const updated = await this.#replace(lease, { holds: 1, takeOver: true });
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

  /** The Lease, or undefined when there is none; any other failure is thrown. */
  async #read(signal?: AbortSignal): Promise<V1Lease | undefined> {
    try {
      return await this.#api.readNamespacedLease(
        { namespace: this.#o.namespace, name: this.name },
        this.#callOpts(signal),
      );
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw toKubeError(e);
    }
  }

  async #create(): Promise<boolean> {
    const { namespace, key, identity } = this.#o;
    const now = toMicroTime(new Date());
    try {
      const created = await this.#api.createNamespacedLease(
        {
          namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: {
              name: this.name,
              namespace,
              labels: { [MUTEX_LABEL]: mutexHash(key) },
              annotations: { [MUTEX_KEY_ANNOTATION]: key, [MUTEX_HOLDS_ANNOTATION]: '1' },
            },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: this.#leaseSeconds(),
              acquireTime: now,
              renewTime: now,
              leaseTransitions: 0,
            },
          },
        },
        this.#callOpts(),
      );
      this.#observe(created);
      return this.#acquired();
    } catch (e) {
      if (isAlreadyExists(e)) return false; // someone created it first: wait
      throw toKubeError(e);
    }
  }

  /**
   * Writes `lease` back as ours with `holds`, conditioned on the
   * resourceVersion we read; undefined when someone wrote first (409) or it
   * was deleted meanwhile (404).
   */
  async #replace(
    lease: V1Lease,
    o: { holds: number; takeOver: boolean },
  ): Promise<V1Lease | undefined> {
    const now = toMicroTime(new Date());
    const transitions = lease.spec?.leaseTransitions ?? 0;
    const previous = lease.spec?.holderIdentity ?? '';
    try {
      const updated = await this.#api.replaceNamespacedLease(
        {
          namespace: this.#o.namespace,
          name: this.name,
          body: {
            ...lease, // carries metadata.resourceVersion: a concurrent write → 409
            metadata: {
              ...lease.metadata,
              labels: { ...lease.metadata?.labels, [MUTEX_LABEL]: mutexHash(this.#o.key) },
              annotations: {
                ...lease.metadata?.annotations,
                [MUTEX_KEY_ANNOTATION]: this.#o.key,
                [MUTEX_HOLDS_ANNOTATION]: String(o.holds),
              },
            },
            spec: {
              ...lease.spec,
              holderIdentity: this.#o.identity,
              leaseDurationSeconds: this.#leaseSeconds(),
              acquireTime: o.takeOver ? now : lease.spec?.acquireTime,
              renewTime: now,
              leaseTransitions:
                o.takeOver && previous !== '' && previous !== this.#o.identity
                  ? transitions + 1
                  : transitions,
            },
          },
        },
        this.#callOpts(),
      );
      this.#observe(updated);
      return updated;
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) return undefined;
      throw toKubeError(e);
    }
  }

  #acquired(): true {
    if (this.#holds === 0) {
      this.#lost = new AbortController();
      this.#startRenewing(this.#attemptBegan);
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
    if (last) await this.#stopRenewing();
    try {
      for (let tries = 0; ; tries++) {
        if (await this.#releaseOnce()) break;
        if (tries >= 20) throw new MutexError(`mutex "${key}": the Lease keeps changing; retry`);
      }
    } catch (e) {
      if (e instanceof MutexError && this.#holds === 0) throw e; // lost: already cleaned up
      if (last) this.#startRenewing(this.#lastRenew); // still ours on the server: keep it alive
      throw e;
    }
    this.#holds--;
    if (this.#holds === 0) this.#lost.abort(new MutexError('unlocked'));
  }

  /** One read and one conditioned write; false on 409 (someone wrote in between). */
  async #releaseOnce(): Promise<boolean> {
    const { namespace, key, identity } = this.#o;
    const lease = await this.#read();
    if (!lease) this.#loseLock(`mutex "${key}" was lost: its Lease is gone`);
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== identity) {
      this.#loseLock(`mutex "${key}" was lost: it is now held by "${holder || 'nobody'}"`);
    }
    const holds = holdsOf(lease);
    try {
      if (holds > 1) {
        await this.#api.replaceNamespacedLease(
          {
            namespace,
            name: this.name,
            body: {
              ...lease,
              metadata: {
                ...lease.metadata,
                annotations: {
                  ...lease.metadata?.annotations,
                  [MUTEX_HOLDS_ANNOTATION]: String(holds - 1),
                },
              },
            },
          },
          this.#callOpts(),
        );
      } else {
        await this.#api.deleteNamespacedLease(
          {
            namespace,
            name: this.name,
            body: {
              preconditions: {
                uid: lease.metadata?.uid,
                resourceVersion: lease.metadata?.resourceVersion,
              },
            },
          },
          this.#callOpts(),
        );
      }
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      if (isNotFound(e)) return true;
      throw toKubeError(e);
    }
  }

  /** Renews every ttl/3; `since` is when (our clock) the lease was last known ours. */
  #startRenewing(since: number): void {
    const stop = new AbortController();
    this.#renewStop = stop;
    this.#lastRenew = since;
    this.#renewLoop = this.#renewEvery(stop.signal);
  }

  async #stopRenewing(): Promise<void> {
    this.#renewStop?.abort();
    await this.#renewLoop;
    this.#renewStop = undefined;
    this.#renewLoop = undefined;
  }

  // Never rejects: failures are retried until a whole ttl passed without success.
  async #renewEvery(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.#ttlMs / 3, undefined, { signal }).catch(() => {});
      if (signal.aborted) return;
      // Counted from before the request: our hold ends no later than a
      // waiter's ttl, which starts when it sees the record this call writes.
      const began = this.#now();
      // Not through #queue: a release waits for this loop to end.
      const outcome = await this.#renewOnce(signal).catch((e: unknown) => e);
      if (signal.aborted) return;
      if (outcome === true) this.#lastRenew = began;
      else if (outcome instanceof MutexError)
        return; // lost: #loseLock cleaned up
      else if (this.#now() - this.#lastRenew >= this.#ttlMs) {
        const why = outcome instanceof Error ? `: ${outcome.message}` : '';
        try {
          this.#loseLock(
            `mutex "${this.#o.key}" was lost: not renewed for ${this.#o.ttlSecs} s${why}`,
          );
        } catch {
          // reported through signal and onLost; nobody awaits this loop's errors
        }
        return;
      }
    }
  }

  /** true when renewed; throws a MutexError when the lock turns out lost. */
  async #renewOnce(signal: AbortSignal): Promise<boolean> {
    const { key, identity } = this.#o;
    for (let tries = 0; tries < 3 && !signal.aborted; tries++) {
      const lease = await this.#read(signal);
      if (!lease) this.#loseLock(`mutex "${key}" was lost: its Lease was deleted`);
      const holder = lease.spec?.holderIdentity ?? '';
      if (holder !== identity) {
        this.#loseLock(`mutex "${key}" was lost: taken over by "${holder || 'nobody'}"`);
      }
      const holds = holdsOf(lease);
      if (await this.#replace(lease, { holds, takeOver: false })) return true;
    }
    return false;
  }

  /** Marks every hold of this object lost, tells `onLost`, and throws the error. */
  #loseLock(message: string): never {
    const error = new MutexError(message);
    if (this.#holds > 0) {
      this.#holds = 0;
      this.#renewStop?.abort();
      this.#lost.abort(error);
      try {
        this.#o.onLost?.(error);
      } catch {
        // a throwing callback must not break the renew loop
      }
    }
    throw error;
  }

  #observe(lease: V1Lease): void {
    this.#observed.observe(lease);
  }

  #leaseSeconds(): number {
    return Math.max(1, Math.ceil(this.#o.ttlSecs));
  }

  #callOpts(signal?: AbortSignal): ConfigurationOptions {
    return requestOptions({ timeoutMs: this.#callTimeoutMs, ...(signal ? { signal } : {}) });
  }
}

function holdsOf(lease: V1Lease): number {
  const n = Number(lease.metadata?.annotations?.[MUTEX_HOLDS_ANNOTATION] ?? '1');
  return Number.isInteger(n) && n >= 1 ? n : 1;
}
