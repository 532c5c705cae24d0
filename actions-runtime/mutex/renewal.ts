import type { LeaseClaim } from '../../operator/kube/lease/claim.ts';
import { holderOf } from '../../operator/kube/lease/observation.ts';
import { LeaseRenewer } from '../../operator/kube/lease/renewer.ts';

export type MutexRenewalOptions = {
  key: string;
  identity: string;
  ttlSecs: number;
  now: () => number;
  claim: LeaseClaim;
  /** Marks the lock lost and throws a MutexError (the mutex's own bookkeeping). */
  loseLock: (message: string) => never;
};

/**
 * What keeps a held mutex's Lease alive: renewed every ttl/3, and lost once
 * no renewal succeeded for a whole ttl (counted from the start of the last
 * one that did: our hold ends no later than a waiter's ttl, which starts when
 * it sees the record that renewal wrote).
 */
export function mutexRenewer(o: MutexRenewalOptions): LeaseRenewer {
  const ttlMs = o.ttlSecs * 1000;
  return new LeaseRenewer({
    intervalMs: ttlMs / 3,
    deadlineMs: ttlMs,
    now: o.now,
    renew: (signal) => renewOnce(o, signal),
    onExpired: (lastError) => {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      try {
        o.loseLock(`mutex "${o.key}" was lost: not renewed for ${o.ttlSecs} s${why}`);
      } catch {
        // reported through signal and onLost; nobody awaits the renewer
      }
    },
  });
}

/** true when renewed; throws a MutexError when the lock turns out lost. */
async function renewOnce(o: MutexRenewalOptions, signal: AbortSignal): Promise<boolean> {
  const { key, identity, claim } = o;
  for (let tries = 0; tries < 3 && !signal.aborted; tries++) {
    const lease = await claim.read(signal);
    if (!lease) o.loseLock(`mutex "${key}" was lost: its Lease was deleted`);
    const holder = holderOf(lease);
    if (holder !== identity) {
      o.loseLock(`mutex "${key}" was lost: taken over by "${holder || 'nobody'}"`);
    }
    if (await claim.acquire(lease, undefined, signal)) return true;
  }
  return false;
}
