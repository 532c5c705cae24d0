import type { ConfigurationOptions, CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { requestOptions } from '../../operator/kube/client.ts';
import {
  isAlreadyExists,
  isConflict,
  isNotFound,
  toKubeError,
} from '../../operator/kube/errors.ts';
import type { LeaseObservation } from '../../operator/kube/lease-observation.ts';
import { toMicroTime } from '../../operator/kube/time.ts';
import {
  MUTEX_HOLDS_ANNOTATION,
  MUTEX_KEY_ANNOTATION,
  MUTEX_LABEL,
  holdsOf,
  mutexHash,
} from './lease.ts';

export type MutexLeaseStoreOptions = {
  namespace: string;
  /** The Lease name (`mutexLeaseName(key)`). */
  name: string;
  key: string;
  identity: string;
  ttlSecs: number;
};

/**
 * The API calls of one mutex's Lease: each write is conditioned on the
 * resourceVersion read, and what is written is recorded in `observed`.
 */
export class MutexLeaseStore {
  readonly #api: CoordinationV1Api;
  readonly #o: MutexLeaseStoreOptions;
  readonly #observed: LeaseObservation;
  readonly #callTimeoutMs: number;

  constructor(api: CoordinationV1Api, o: MutexLeaseStoreOptions, observed: LeaseObservation) {
    this.#api = api;
    this.#o = o;
    this.#observed = observed;
    // A hung call must not eat the renew budget.
    this.#callTimeoutMs = Math.max(500, Math.min(10_000, (o.ttlSecs * 1000) / 3));
  }

  /** The Lease, or undefined when there is none; any other failure is thrown. */
  async read(signal?: AbortSignal): Promise<V1Lease | undefined> {
    try {
      return await this.#api.readNamespacedLease(
        { namespace: this.#o.namespace, name: this.#o.name },
        this.#callOpts(signal),
      );
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw toKubeError(e);
    }
  }

  /** Creates the Lease as ours with one hold; false when someone created it first. */
  async create(): Promise<boolean> {
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
              name: this.#o.name,
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
      this.#observed.observe(created);
      return true;
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
  async replace(
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
          name: this.#o.name,
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
      this.#observed.observe(updated);
      return updated;
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) return undefined;
      throw toKubeError(e);
    }
  }

  /**
   * Gives back one hold of `lease` (read as ours): the count goes down, or the
   * Lease is deleted (conditioned on its uid and resourceVersion) when it was
   * the last. False on 409 (someone wrote in between).
   */
  async releaseHold(lease: V1Lease): Promise<boolean> {
    const { namespace } = this.#o;
    const holds = holdsOf(lease);
    try {
      if (holds > 1) {
        await this.#api.replaceNamespacedLease(
          {
            namespace,
            name: this.#o.name,
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
            name: this.#o.name,
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

  #leaseSeconds(): number {
    return Math.max(1, Math.ceil(this.#o.ttlSecs));
  }

  #callOpts(signal?: AbortSignal): ConfigurationOptions {
    return requestOptions({ timeoutMs: this.#callTimeoutMs, ...(signal ? { signal } : {}) });
  }
}
