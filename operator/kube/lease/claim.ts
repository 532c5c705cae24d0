import type {
  ConfigurationOptions,
  CoordinationV1Api,
  V1Lease,
  V1Preconditions,
} from '@kubernetes/client-node';
import { requestOptions } from '../client.ts';
import { isAlreadyExists, isConflict, isNotFound, kubeCall } from '../errors.ts';
import { toMicroTime } from '../time.ts';
import { holderOf, LeaseObservation, monotonicNow } from './observation.ts';

export type LeaseClaimOptions = {
  coordination: CoordinationV1Api;
  namespace: string;
  /** The Lease's name. */
  name: string;
  /** Who claims it: written as holderIdentity. */
  identity: string;
  /**
   * Written as leaseDurationSeconds (whole seconds, at least 1), and how long
   * a held record must stay unchanged on our clock before `expired()` says
   * it may be taken over.
   */
  durationMs: number;
  /** Deadline of each call, on top of the client's: one hung call must not eat a renew budget. */
  callTimeoutMs: number;
  /** Merged into the Lease's labels on every write (others' labels stay), to list such Leases. */
  labels?: Record<string, string>;
  /** Monotonic milliseconds for the take-over rule; injectable for tests. */
  now?: () => number;
};

/** The annotations a write sets, replacing the Lease's; undefined leaves them as they are. */
export type LeaseAnnotations = Record<string, string> | undefined;

/**
 * One identity's claim on one Lease: the one place that creates, renews,
 * takes over, releases and deletes Leases (leader election, worker
 * heartbeats, mutexes all go through it). client-go's rules:
 * - every write of an existing Lease carries the resourceVersion read, so of
 *   two racing writers one gets 409 and has to read again;
 * - a held Lease is taken over only once its record has stayed unchanged for
 *   a whole duration measured on OUR clock since we first saw it (`expired`);
 *   the remote renewTime is never compared with local time (clock skew);
 * - a change of holder sets acquireTime and counts one more leaseTransition;
 * - everything read or written is observed, restarting that clock on change.
 * Expected races (404, 409) are answered with `undefined` or `false`; any
 * other failure is thrown as a `KubeApiError` (network errors as they came).
 */
export class LeaseClaim {
  /** The record as last read or written, and when (our clock) it last changed. */
  readonly observed: LeaseObservation;
  readonly #o: LeaseClaimOptions;

  constructor(o: LeaseClaimOptions) {
    this.#o = o;
    this.observed = new LeaseObservation(o.now ?? monotonicNow);
  }

  /** The Lease, or undefined when there is none. */
  async read(signal?: AbortSignal): Promise<V1Lease | undefined> {
    const { coordination, namespace, name } = this.#o;
    const read = (): Promise<V1Lease> =>
      coordination.readNamespacedLease({ namespace, name }, this.#callOpts(signal));
    return this.#observe(read, isNotFound);
  }

  /**
   * Whether the Lease last read may be taken over: it has no holder, or its
   * record has not changed for a whole duration on our clock.
   */
  expired(): boolean {
    return this.observed.holder === '' || this.observed.unchangedFor(this.#o.durationMs);
  }

  /** Creates the Lease as ours; undefined when it exists already (someone was first). */
  async create(annotations?: LeaseAnnotations, signal?: AbortSignal): Promise<V1Lease | undefined> {
    const { coordination, namespace, name, identity, labels } = this.#o;
    const now = toMicroTime(new Date());
    const create = (): Promise<V1Lease> =>
      coordination.createNamespacedLease(
        {
          namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace, labels: { ...labels }, annotations },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: this.#durationSeconds(),
              acquireTime: now,
              renewTime: now,
              leaseTransitions: 0,
            },
          },
        },
        this.#callOpts(signal),
      );
    // AlreadyExists: someone was first.
    return this.#observe(create, isAlreadyExists);
  }

  /**
   * Writes `lease` (as read) back as ours with a fresh renewTime: a renewal
   * when we hold it, a take-over otherwise (checking `expired()` first is the
   * caller's part). Undefined when it changed or went away since it was read.
   */
  async acquire(
    lease: V1Lease,
    annotations?: LeaseAnnotations,
    signal?: AbortSignal,
  ): Promise<V1Lease | undefined> {
    const { identity } = this.#o;
    const now = toMicroTime(new Date());
    const ours = holderOf(lease) === identity;
    const transitions = lease.spec?.leaseTransitions ?? 0;
    const body: V1Lease = {
      ...lease,
      metadata: {
        ...lease.metadata,
        labels: { ...lease.metadata?.labels, ...this.#o.labels },
        annotations: annotations ?? lease.metadata?.annotations,
      },
      spec: {
        ...lease.spec,
        holderIdentity: identity,
        leaseDurationSeconds: this.#durationSeconds(),
        acquireTime: ours ? lease.spec?.acquireTime : now,
        renewTime: now,
        leaseTransitions: ours ? transitions : transitions + 1,
      },
    };
    const replace = (): Promise<V1Lease> => this.#replace(body, signal);
    return this.#observe(replace, (e) => isConflict(e) || isNotFound(e));
  }

  /**
   * Gives `lease` (as read, held by us) up so that others take it over at
   * once instead of after a duration: an empty holder with
   * leaseDurationSeconds 1, as client-go's ReleaseOnCancel writes. Throws
   * when that fails, a 409 included.
   */
  async release(lease: V1Lease, signal?: AbortSignal): Promise<void> {
    const now = toMicroTime(new Date());
    const body = {
      ...lease,
      spec: {
        ...lease.spec,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
      },
    };
    await this.#observe(
      () => this.#replace(body, signal),
      () => false,
    );
  }

  /**
   * Deletes the Lease if `preconditions` still hold: true when it is gone
   * (deleted now or before), false when they failed (409).
   */
  async delete(preconditions: V1Preconditions, signal?: AbortSignal): Promise<boolean> {
    const { coordination, namespace, name } = this.#o;
    try {
      await kubeCall(() =>
        coordination.deleteNamespacedLease(
          { namespace, name, body: { preconditions } },
          this.#callOpts(signal),
        ),
      );
      return true;
    } catch (e) {
      if (isNotFound(e)) return true;
      if (isConflict(e)) return false;
      throw e;
    }
  }

  /** Replaces the Lease with `body`, whose resourceVersion makes a concurrent write fail (409). */
  #replace(body: V1Lease, signal?: AbortSignal): Promise<V1Lease> {
    const { coordination, namespace, name } = this.#o;
    return coordination.replaceNamespacedLease({ namespace, name, body }, this.#callOpts(signal));
  }

  /** Observes the Lease `call` returns; undefined when it failed with an `expected` race. */
  async #observe(
    call: () => Promise<V1Lease>,
    expected: (e: unknown) => boolean,
  ): Promise<V1Lease | undefined> {
    try {
      const lease = await kubeCall(call);
      this.observed.observe(lease);
      return lease;
    } catch (e) {
      if (expected(e)) return undefined;
      throw e;
    }
  }

  #durationSeconds(): number {
    return Math.max(1, Math.ceil(this.#o.durationMs / 1000));
  }

  #callOpts(signal?: AbortSignal): ConfigurationOptions {
    return requestOptions({ timeoutMs: this.#o.callTimeoutMs, ...(signal ? { signal } : {}) });
  }
}
