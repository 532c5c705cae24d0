import type { V1Lease } from '@kubernetes/client-node';

/**
 * When a Lease's record (holder, renewTime, transitions, resourceVersion)
 * last changed, timed on our own clock. Taking over a Lease is safe only once
 * its record has not moved for a whole duration as we measure it: comparing
 * the remote renewTime with our clock would trust the holder's clock (skew),
 * as client-go's leader election explains.
 */
export class LeaseObservation {
  readonly #now: () => number;
  #record = '';
  #changedAt = 0;
  #holder = '';

  constructor(now: () => number) {
    this.#now = now;
  }

  observe(lease: V1Lease): void {
    const s = lease.spec;
    // Timestamps come back as strings although typed Date: String() keeps them as sent.
    const record = JSON.stringify([
      s?.holderIdentity ?? '',
      String(s?.renewTime ?? ''),
      s?.leaseTransitions ?? 0,
      lease.metadata?.resourceVersion ?? '',
    ]);
    if (record !== this.#record) {
      this.#record = record;
      this.#changedAt = this.#now();
    }
    this.#holder = s?.holderIdentity ?? '';
  }

  /** The holder in the record last observed ('' when none). */
  get holder(): string {
    return this.#holder;
  }

  /** Whether the record has not changed for `ms` on our clock. */
  unchangedFor(ms: number): boolean {
    return this.#now() - this.#changedAt >= ms;
  }
}
