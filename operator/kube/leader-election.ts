import { setTimeout as sleep } from 'node:timers/promises';
import type { ConfigurationOptions, CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import type { Logger } from '../log.ts';
import { requestOptions } from './client.ts';
import { isAlreadyExists, isConflict, isNotFound, toKubeError } from './errors.ts';
import { toMicroTime } from './time.ts';
import { LeaseObservation } from './lease-observation.ts';

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
  /** Monotonic milliseconds for the take-over rule; injectable for tests. */
  now?: () => number;
};

// client-go's JitterFactor for the acquire loop: standbys do not retry in step.
const ACQUIRE_JITTER = 1.2;

/**
 * Lease-based leader election following client-go's
 * tools/leaderelection/leaderelection.go (client-node.md §8):
 * - a standby takes over only when the lease record (holder, renewTime,
 *   transitions, resourceVersion) has not changed for a whole leaseDuration
 *   measured on OUR clock since we first saw it; remote timestamps are never
 *   compared with local time (clock skew, bogus values);
 * - take-over = replace with the observed resourceVersion and
 *   leaseTransitions + 1, so of two racing standbys one gets 409 and loses;
 * - the leader that cannot renew within renewDeadline stops acting at once.
 * Every Lease call carries a timeout of renewDeadline/2 (`requestOptions`, on
 * top of the client's own timeout), so one hung request cannot eat the whole
 * renew deadline. One elector runs once: `run()` resolves when leading ends.
 */
export class LeaderElector {
  readonly #o: LeaderElectorOptions;
  readonly #now: () => number;
  readonly #callTimeoutMs: number;
  #leader = false;
  // The lease record as last read, and when (our clock) it last changed.
  readonly #observed: LeaseObservation;
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
    this.#now = opts.now ?? (() => performance.now());
    this.#observed = new LeaseObservation(this.#now);
    this.#callTimeoutMs = Math.floor(opts.renewDeadlineMs / 2);
  }

  isLeader(): boolean {
    return this.#leader;
  }

  /**
   * Campaigns until leader (or `signal` aborts), then renews every retryPeriod
   * until renewing fails for renewDeadline or `signal` aborts. Never rejects.
   */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew(signal)) break;
      const pause = this.#o.retryPeriodMs * (1 + Math.random() * ACQUIRE_JITTER);
      await sleep(pause, undefined, { signal }).catch(() => {});
    }
    if (signal.aborted) return;
    this.#leading = this.#lead(signal);
    await this.#leading;
  }

  /**
   * Gives the lease up so a standby takes over at once instead of after
   * leaseDuration: writes an empty holder with leaseDurationSeconds 1, as
   * client-go's ReleaseOnCancel does. For a graceful stop: abort `run()`'s
   * signal, then release (if still leading, this stops leading first and waits
   * for the renew loop, so no renewal lands after it). A no-op when we do not
   * hold the lease.
   */
  async release(): Promise<void> {
    this.#stopLeading?.('released');
    await this.#leading;
    const { coordination, namespace, name, identity } = this.#o;
    try {
      const lease = await coordination.readNamespacedLease({ namespace, name }, this.#callOpts());
      if (lease.spec?.holderIdentity !== identity) return;
      const now = new Date();
      await coordination.replaceNamespacedLease(
        {
          namespace,
          name,
          body: {
            ...lease,
            spec: {
              ...lease.spec,
              holderIdentity: '',
              leaseDurationSeconds: 1,
              acquireTime: toMicroTime(now),
              renewTime: toMicroTime(now),
            },
          },
        },
        this.#callOpts(),
      );
      this.#o.logger.info({ lease: name }, 'released leadership');
    } catch (e) {
      this.#o.logger.warn({ err: toKubeError(e), lease: name }, 'could not release the lease');
    }
  }

  async #lead(signal: AbortSignal): Promise<void> {
    const leadership = new AbortController();
    const stopLeading = (why: string): void => {
      if (leadership.signal.aborted) return;
      this.#leader = false;
      leadership.abort(new Error(why));
      this.#o.logger.info({ lease: this.#o.name, why }, 'stopped leading');
      this.#callHook(() => this.#o.onStoppedLeading());
    };
    // Fires renewDeadline after the last successful renew, even while a renew
    // request is still in flight: the leader stops acting "at once".
    const armDeadline = (): NodeJS.Timeout =>
      setTimeout(
        () => stopLeading('could not renew within renewDeadline'),
        this.#o.renewDeadlineMs,
      );
    let deadline = armDeadline();
    const onAbort = (): void => stopLeading('stopped');
    signal.addEventListener('abort', onAbort, { once: true });
    this.#stopLeading = stopLeading;

    this.#leader = true;
    this.#o.logger.info({ lease: this.#o.name, identity: this.#o.identity }, 'became leader');
    this.#callHook(() => this.#o.onStartedLeading(leadership.signal));
    try {
      while (!leadership.signal.aborted) {
        await sleep(this.#o.retryPeriodMs, undefined, { signal: leadership.signal }).catch(
          () => {},
        );
        if (leadership.signal.aborted) break;
        if (await this.#tryAcquireOrRenew(leadership.signal)) {
          clearTimeout(deadline);
          deadline = armDeadline();
        } else if (this.#observed.holder !== this.#o.identity && this.#observed.holder !== '') {
          // Someone took over (our renews did not land for a leaseDuration):
          // waiting out renewDeadline would mean two leaders.
          stopLeading(`lease taken over by ${this.#observed.holder}`);
        }
      }
    } finally {
      clearTimeout(deadline);
      signal.removeEventListener('abort', onAbort);
      this.#stopLeading = undefined;
    }
  }

  /** One GET and at most one write; true when we hold the lease afterwards. */
  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { coordination, namespace, name, identity } = this.#o;
    let lease: V1Lease;
    try {
      lease = await coordination.readNamespacedLease({ namespace, name }, this.#callOpts(signal));
    } catch (e) {
      if (isNotFound(e)) return this.#create(signal);
      this.#logAttempt('reading the lease failed', e);
      return false;
    }
    this.#observe(lease);
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== '' && holder !== identity) {
      if (!this.#observed.unchangedFor(this.#o.leaseDurationMs)) return false;
      this.#o.logger.info({ lease: name, previous: holder }, 'lease expired; taking over');
    }
    const ours = holder === identity;
    const now = toMicroTime(new Date());
    const transitions = lease.spec?.leaseTransitions ?? 0;
    try {
      const updated = await coordination.replaceNamespacedLease(
        {
          namespace,
          name,
          body: {
            ...lease, // carries metadata.resourceVersion: a concurrent write → 409
            spec: {
              ...lease.spec,
              holderIdentity: identity,
              leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
              acquireTime: ours ? lease.spec?.acquireTime : now,
              renewTime: now,
              leaseTransitions: ours ? transitions : transitions + 1,
            },
          },
        },
        this.#callOpts(signal),
      );
      this.#observe(updated);
      return true;
    } catch (e) {
      // 409: someone else wrote first (renewed, or won the take-over race).
      if (!isConflict(e)) this.#logAttempt('updating the lease failed', e);
      return false;
    }
  }

  async #create(signal: AbortSignal): Promise<boolean> {
    const { coordination, namespace, name, identity } = this.#o;
    const now = toMicroTime(new Date());
    try {
      const created = await coordination.createNamespacedLease(
        {
          namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
              acquireTime: now,
              renewTime: now,
              leaseTransitions: 0,
            },
          },
        },
        this.#callOpts(signal),
      );
      this.#observe(created);
      return true;
    } catch (e) {
      if (!isAlreadyExists(e)) this.#logAttempt('creating the lease failed', e);
      return false;
    }
  }

  #observe(lease: V1Lease): void {
    this.#observed.observe(lease);
  }

  #callOpts(signal?: AbortSignal): ConfigurationOptions {
    return requestOptions({ timeoutMs: this.#callTimeoutMs, ...(signal ? { signal } : {}) });
  }

  #callHook(hook: () => void): void {
    try {
      hook();
    } catch (e) {
      this.#o.logger.error({ err: e }, 'leader election callback threw');
    }
  }

  #logAttempt(msg: string, e: unknown): void {
    this.#o.logger.warn({ err: toKubeError(e), lease: this.#o.name }, msg);
  }
}
