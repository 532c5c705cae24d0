import type { V1Lease } from '@kubernetes/client-node';

/** Milliseconds on a clock that never jumps (NTP, DST): the only clock Lease timing uses. */
export const monotonicNow = (): number => performance.now();

/** A Lease's holder; '' when it has none (released, or never held). */
export function holderOf(lease: V1Lease | undefined): string {
  return lease?.spec?.holderIdentity ?? '';
}

/**
 * When a Lease's record (holder, renewTime, transitions, resourceVersion)
 * last changed, timed on our own monotonic clock. Whether a holder is alive
 * is judged by the record changing, never by its renewTime: comparing the
 * remote renewTime with our clock would trust the holder's clock (skew), as
 * client-go's leader election explains.
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
    this.#holder = holderOf(lease);
  }

  /** The holder in the record last observed ('' when none). */
  get holder(): string {
    return this.#holder;
  }

  /**
   * Starts the clock again as if the record had just changed: after a time we
   * could not see the API server, silence says nothing about the holder.
   */
  restart(): void {
    this.#changedAt = this.#now();
  }

  /** Whether the record has not changed for `ms` on our clock. */
  unchangedFor(ms: number): boolean {
    return this.#now() - this.#changedAt >= ms;
  }
}
