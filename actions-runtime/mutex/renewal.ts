import { setTimeout as sleep } from 'node:timers/promises';
import { holdsOf } from './lease.ts';
import { MutexError } from './options.ts';
import type { MutexLeaseStore } from './store.ts';

export type MutexRenewalOptions = {
  key: string;
  identity: string;
  ttlSecs: number;
  ttlMs: number;
  now: () => number;
  store: MutexLeaseStore;
  /** Marks the lock lost and throws a MutexError (the mutex's own bookkeeping). */
  loseLock: (message: string) => never;
};

/** Keeps a held mutex's Lease alive: renewed every ttl/3 until stopped or lost. */
export class MutexRenewal {
  readonly #o: MutexRenewalOptions;
  #stop: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #lastRenew = 0;

  constructor(o: MutexRenewalOptions) {
    this.#o = o;
  }

  /** When (our clock) the lease was last known ours. */
  get lastRenew(): number {
    return this.#lastRenew;
  }

  /** Renews every ttl/3; `since` is when (our clock) the lease was last known ours. */
  start(since: number): void {
    const stop = new AbortController();
    this.#stop = stop;
    this.#lastRenew = since;
    this.#loop = this.#renewEvery(stop.signal);
  }

  /** Stops the loop and waits for it to end. */
  async stop(): Promise<void> {
    this.#stop?.abort();
    await this.#loop;
    this.#stop = undefined;
    this.#loop = undefined;
  }

  /** Stops the loop without waiting (the lock was lost). */
  abort(): void {
    this.#stop?.abort();
  }

  // Never rejects: failures are retried until a whole ttl passed without success.
  async #renewEvery(signal: AbortSignal): Promise<void> {
    const { ttlMs, now } = this.#o;
    while (!signal.aborted) {
      await sleep(ttlMs / 3, undefined, { signal }).catch(() => {});
      if (signal.aborted) return;
      // Counted from before the request: our hold ends no later than a
      // waiter's ttl, which starts when it sees the record this call writes.
      const began = now();
      // Not through the mutex's queue: a release waits for this loop to end.
      const outcome = await this.#renewOnce(signal).catch((e: unknown) => e);
      if (signal.aborted) return;
      if (outcome === true) this.#lastRenew = began;
      else if (outcome instanceof MutexError)
        return; // lost: loseLock cleaned up
      else if (now() - this.#lastRenew >= ttlMs) {
        const why = outcome instanceof Error ? `: ${outcome.message}` : '';
        try {
          this.#o.loseLock(
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
    const { key, identity, store } = this.#o;
    for (let tries = 0; tries < 3 && !signal.aborted; tries++) {
      const lease = await store.read(signal);
      if (!lease) this.#o.loseLock(`mutex "${key}" was lost: its Lease was deleted`);
      const holder = lease.spec?.holderIdentity ?? '';
      if (holder !== identity) {
        this.#o.loseLock(`mutex "${key}" was lost: taken over by "${holder || 'nobody'}"`);
      }
      const holds = holdsOf(lease);
      if (await store.replace(lease, { holds, takeOver: false })) return true;
    }
    return false;
  }
}
