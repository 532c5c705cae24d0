import { setTimeout as sleep } from 'node:timers/promises';
import type { CoordinationV1Api } from '@kubernetes/client-node';
import type { Logger } from '../log.ts';
import { LeaseClaim } from './lease/claim.ts';
import { holderOf, monotonicNow } from './lease/observation.ts';
import { LeaseRenewer } from './lease/renewer.ts';

export type LeaderElectorOptions = {
  coordination: CoordinationV1Api;
  namespace: string;
  /** Name of the Lease all candidates compete for. */
  name: string;
  /** Unique per process (e.g. hostname + "_" + random UUID). */
  identity: string;
  /** How long a standby waits, on its own clock, for a silent leader (client-go: 15 s). */
  leaseDurationMs: number;
  /** How long the leader keeps acting without a successful renew (client-go: 10 s). */
  renewDeadlineMs: number;
  /** Pause between attempts to acquire or renew (client-go: 2 s). */
  retryPeriodMs: number;
  logger: Logger;
  /** Called on winning; `signal` aborts the moment leadership is lost or given up. */
  onStartedLeading: (signal: AbortSignal) => void;
  /** Called once after leading ended, before `run()` resolves. */
  onStoppedLeading: () => void;
  /** Monotonic milliseconds for the take-over rule and the renew deadline; injectable for tests. */
  now?: () => number;
};

// client-go's JitterFactor for the acquire loop: standbys do not retry in step.
const ACQUIRE_JITTER = 1.2;

/**
 * Lease-based leader election following client-go's
 * tools/leaderelection/leaderelection.go (client-node.md §8), on a
 * `LeaseClaim`:
 * - a standby takes over only when the lease record has not changed for a
 *   whole leaseDuration measured on OUR clock since we first saw it; remote
 *   timestamps are never compared with local time (clock skew, bogus values);
 * - take-over = replace with the observed resourceVersion and
 *   leaseTransitions + 1, so of two racing standbys one gets 409 and loses;
 * - the leader that cannot renew within renewDeadline stops acting at once.
 * Every Lease call carries a timeout of renewDeadline/2 (on top of the
 * client's own timeout), so one hung request cannot eat the whole renew
 * deadline. One elector runs once: `run()` resolves when leading ends.
 */
export class LeaderElector {
  readonly #o: LeaderElectorOptions;
  readonly #now: () => number;
  readonly #claim: LeaseClaim;
  // While leading: how to stop, and the renew loop to wait for.
  #stopLeading: ((why: string) => void) | undefined;
  #leading: Promise<void> | undefined;

  constructor(opts: LeaderElectorOptions) {
    if (opts.leaseDurationMs <= opts.renewDeadlineMs) {
      throw new RangeError('leaseDurationMs must be greater than renewDeadlineMs');
    }
    if (opts.renewDeadlineMs <= opts.retryPeriodMs * ACQUIRE_JITTER) {
      throw new RangeError('renewDeadlineMs must be greater than retryPeriodMs × 1.2');
    }
    this.#o = opts;
    this.#now = opts.now ?? monotonicNow;
    this.#claim = new LeaseClaim({
      coordination: opts.coordination,
      namespace: opts.namespace,
      name: opts.name,
      identity: opts.identity,
      durationMs: opts.leaseDurationMs,
      callTimeoutMs: Math.floor(opts.renewDeadlineMs / 2),
      now: this.#now,
    });
  }

  /**
   * Campaigns until leader (or `signal` aborts), then renews every retryPeriod
   * until renewing fails for renewDeadline or `signal` aborts. Never rejects.
   */
  async run(signal: AbortSignal): Promise<void> {
    let since = 0; // when (our clock) the winning attempt began
    while (!signal.aborted) {
      since = this.#now();
      if (await this.#tryAcquireOrRenew(signal)) break;
      const pause = this.#o.retryPeriodMs * (1 + Math.random() * ACQUIRE_JITTER);
      await sleep(pause, undefined, { signal }).catch(() => {});
    }
    if (signal.aborted) return;
    this.#leading = this.#lead(signal, since);
    await this.#leading;
  }

  /**
   * Gives the lease up so a standby takes over at once instead of after
   * leaseDuration (`LeaseClaim.release`, as client-go's ReleaseOnCancel). For
   * a graceful stop: abort `run()`'s signal, then release (if still leading,
   * this stops leading first and waits for the renew loop, so no renewal
   * lands after it). A no-op when we do not hold the lease.
   */
  async release(): Promise<void> {
    this.#stopLeading?.('released');
    await this.#leading;
    try {
      const lease = await this.#claim.read();
      if (!lease || holderOf(lease) !== this.#o.identity) return;
      await this.#claim.release(lease);
      this.#o.logger.info({ lease: this.#o.name }, 'released leadership');
    } catch (e) {
      this.#o.logger.warn({ err: e, lease: this.#o.name }, 'could not release the lease');
    }
  }

  /** Leads until renewing fails for renewDeadline (counted from `since`) or `signal` aborts. */
  async #lead(signal: AbortSignal, since: number): Promise<void> {
    const leadership = new AbortController();
    const renewer = new LeaseRenewer({
      intervalMs: this.#o.retryPeriodMs,
      // A timer: the leader stops acting "at once", even while a renew hangs.
      deadlineMs: this.#o.renewDeadlineMs,
      now: this.#now,
      renew: (s) => this.#renew(s, stopLeading),
      onExpired: () => stopLeading('could not renew within renewDeadline'),
    });
    const stopLeading = (why: string): void => {
      if (leadership.signal.aborted) return;
      leadership.abort(new Error(why));
      void renewer.stop();
      this.#o.logger.info({ lease: this.#o.name, why }, 'stopped leading');
      this.#callHook(() => this.#o.onStoppedLeading());
    };
    const onAbort = (): void => stopLeading('stopped');
    signal.addEventListener('abort', onAbort, { once: true });
    this.#stopLeading = stopLeading;

    this.#o.logger.info({ lease: this.#o.name, identity: this.#o.identity }, 'became leader');
    this.#callHook(() => this.#o.onStartedLeading(leadership.signal));
    try {
      if (!leadership.signal.aborted) await renewer.start(since);
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#stopLeading = undefined;
    }
  }

  /** One renewal while leading; stops leading at once when someone else took the lease. */
  async #renew(signal: AbortSignal, stopLeading: (why: string) => void): Promise<boolean> {
    if (await this.#tryAcquireOrRenew(signal)) return true;
    const holder = this.#claim.observed.holder;
    if (holder !== this.#o.identity && holder !== '') {
      // Our renews did not land for a leaseDuration: waiting out renewDeadline would mean two leaders.
      stopLeading(`lease taken over by ${holder}`);
    }
    return false;
  }

  /** One GET and at most one write; true when we hold the lease afterwards. */
  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { name, identity } = this.#o;
    try {
      const lease = await this.#claim.read(signal);
      if (!lease) return (await this.#claim.create(undefined, signal)) !== undefined;
      const holder = holderOf(lease);
      if (holder !== identity) {
        if (!this.#claim.expired()) return false;
        if (holder !== '')
          this.#o.logger.info({ lease: name, previous: holder }, 'lease expired; taking over');
      }
      // undefined: someone else wrote first (renewed, or won the take-over race).
      return (await this.#claim.acquire(lease, undefined, signal)) !== undefined;
    } catch (e) {
      this.#o.logger.warn({ err: e, lease: name }, 'acquiring or renewing the lease failed');
      return false;
    }
  }

  #callHook(hook: () => void): void {
    try {
      hook();
    } catch (e) {
      this.#o.logger.error({ err: e }, 'leader election callback threw');
    }
  }
}
