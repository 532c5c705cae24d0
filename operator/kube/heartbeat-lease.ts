import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { silentLogger, type Logger } from '../log.ts';
import { isUnreachable } from './errors.ts';
import { LeaseClaim, type LeaseAnnotations } from './lease/claim.ts';
import { holderOf, monotonicNow } from './lease/observation.ts';
import { LeaseRenewer } from './lease/renewer.ts';

export type HeartbeatLeaseOptions = {
  coordination: CoordinationV1Api;
  namespace: string;
  /** The Lease's name (the worker's name). */
  name: string;
  /** Written as holderIdentity. */
  identity: string;
  leaseDurationSeconds: number;
  /** Pause between renewals; a third of the lease duration is usual. */
  renewIntervalMs: number;
  labels?: Record<string, string>;
  /** Written when the Lease is created or taken over; renewals leave annotations alone. */
  annotations?: Record<string, string>;
  logger?: Logger;
  /**
   * Called once when renewals have failed for a lease duration less
   * LOST_MARGIN (from the start of the last successful one), or for
   * `outageToleranceMs` while the API server gave no answer at all. Renewing
   * goes on; a later success re-arms it.
   */
  onLost: () => void;
  /**
   * How long renewals that get no answer (connection refused, timeouts, 5xx:
   * `isUnreachable`) are borne before `onLost`: an API server restart is not
   * a lost Lease. Default: the lost deadline (no patience).
   */
  outageToleranceMs?: number;
};

/**
 * How much earlier than a lease duration the holder gives up: the others'
 * clock starts no sooner than the start of the renewal they saw, and this
 * covers a timer that fires late (a busy event loop) and clocks that run at
 * slightly different rates.
 */
export function lostMargin(durationMs: number): number {
  return Math.min(2000, durationMs / 5);
}

/**
 * A worker's liveness record: a Lease it creates (or takes over, when one of
 * its name is left over from an earlier run), renews, and deletes on `stop()`,
 * all through a `LeaseClaim`. Nobody competes for it, so a renewal that finds
 * the record changed under it takes it over again at once, and one that finds
 * it gone (garbage-collected as dead) writes it anew.
 */
const [START_RETRY_MIN_MS, START_RETRY_MAX_MS] = [200, 5_000];

export class HeartbeatLease {
  readonly #o: HeartbeatLeaseOptions;
  readonly #log: Logger;
  readonly #stop = new AbortController();
  readonly #claim: LeaseClaim;
  readonly #renewer: LeaseRenewer;
  // The Lease as we last wrote it.
  #lease: V1Lease | undefined;
  #renewing: Promise<void> | undefined;
  #lost = false;

  constructor(opts: HeartbeatLeaseOptions) {
    this.#o = opts;
    this.#log = (opts.logger ?? silentLogger()).child({ lease: opts.name });
    const durationMs = opts.leaseDurationSeconds * 1000;
    this.#claim = new LeaseClaim({
      coordination: opts.coordination,
      namespace: opts.namespace,
      name: opts.name,
      identity: opts.identity,
      durationMs,
      // A hung call must not outlive half the lease.
      callTimeoutMs: Math.min(opts.renewIntervalMs, durationMs / 2),
      ...(opts.labels ? { labels: opts.labels } : {}),
    });
    const deadlineMs = durationMs - lostMargin(durationMs);
    const toleranceMs = opts.outageToleranceMs ?? 0;
    this.#renewer = new LeaseRenewer({
      intervalMs: opts.renewIntervalMs,
      deadlineMs,
      renew: (signal) => this.#renew(signal),
      onExpired: () => this.#expired(),
      ...(toleranceMs > deadlineMs
        ? {
            unreachable: {
              is: isUnreachable,
              boundMs: toleranceMs,
              onPatient: () =>
                this.#log.warn(
                  { toleranceSecs: toleranceMs / 1000 },
                  'the API server does not answer: keeping the Lease as ours meanwhile',
                ),
            },
          }
        : {}),
    });
  }

  /**
   * Writes the lease once, then renews in the background. An API server that
   * gives no answer (a busy or restarting one) is tried again, with backoff,
   * for up to `outageToleranceMs`; one that refuses, or silence beyond that,
   * fails the start.
   */
  async start(): Promise<void> {
    if (this.#renewing) throw new Error(`heartbeat lease ${this.#o.name} already started`);
    const first = monotonicNow();
    for (let delayMs = START_RETRY_MIN_MS; ; delayMs = Math.min(2 * delayMs, START_RETRY_MAX_MS)) {
      const since = monotonicNow();
      try {
        await this.#write(this.#o.annotations, this.#stop.signal);
        this.#renewing = this.#renewer.start(since);
        return;
      } catch (e) {
        const waited = monotonicNow() - first;
        if (!isUnreachable(e) || waited + delayMs > (this.#o.outageToleranceMs ?? 0)) throw e;
        this.#log.warn({ err: e }, 'writing the lease got no answer; trying again');
        await new Promise((r) => setTimeout(r, delayMs));
        if (this.#stop.signal.aborted) throw e;
      }
    }
  }

  /** Stops renewing and deletes the lease we wrote (best effort: errors are logged). */
  async stop(): Promise<void> {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    await this.#renewer.stop();
    const uid = this.#lease?.metadata?.uid;
    if (uid === undefined) return; // never written
    try {
      // The uid precondition spares a lease someone else re-created meanwhile.
      if (!(await this.#claim.delete({ uid }))) {
        this.#log.warn('could not delete the lease: it was re-created meanwhile');
      }
    } catch (e) {
      this.#log.warn({ err: e }, 'could not delete the lease');
    }
  }

  async #renew(signal: AbortSignal): Promise<boolean> {
    try {
      await this.#write(undefined, signal);
    } catch (e) {
      if (!signal.aborted) this.#log.warn({ err: e }, 'renewing the lease failed');
      throw e; // the renewer tells "no answer" from "refused" by the error
    }
    if (this.#lost) this.#log.info('lease renewed again');
    this.#lost = false;
    return true;
  }

  /**
   * Makes the Lease ours with a fresh renewTime: renews the record we last
   * wrote; when that changed under us, takes over what is there; when the
   * Lease is gone, creates it (with our annotations). Given `annotations`
   * replace the Lease's.
   */
  async #write(annotations: LeaseAnnotations, signal: AbortSignal): Promise<void> {
    let lease = this.#lease;
    for (let tries = 0; tries < 3; tries++) {
      const written = lease
        ? await this.#claim.acquire(lease, annotations, signal)
        : await this.#claim.create(this.#o.annotations, signal);
      if (written) {
        this.#lease = written;
        return;
      }
      lease = await this.#claim.read(signal);
      if (!lease && this.#lease) this.#log.warn('the lease disappeared; re-creating it');
      const previous = holderOf(lease);
      if (previous !== '' && previous !== this.#o.identity) {
        this.#log.warn({ previous }, 'taking over a lease held by another identity');
      }
    }
    throw new Error(`heartbeat lease ${this.#o.name}: the Lease keeps changing`);
  }

  #expired(): void {
    this.#lost = true;
    this.#log.error('renewals failed for too long: lease lost');
    try {
      this.#o.onLost();
    } catch (e) {
      this.#log.error({ err: e }, 'onLost threw');
    }
  }
}
