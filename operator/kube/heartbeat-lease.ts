import { setTimeout as sleep } from 'node:timers/promises';
import type { CoordinationV1Api, V1Lease, V1LeaseSpec } from '@kubernetes/client-node';
import { silentLogger, type Logger } from '../log.ts';
import { requestOptions } from './client.ts';
import { isAlreadyExists, isNotFound, toKubeError } from './errors.ts';
import { mergePatchOptions } from './patch.ts';
import { microTime, toMicroTime } from './time.ts';

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
  annotations?: Record<string, string>;
  logger?: Logger;
  /**
   * Called once when no renewal succeeded for a whole lease duration: others
   * now consider this holder dead. Renewing goes on; a later success re-arms it.
   */
  onLost: () => void;
};

/**
 * A worker's liveness record: a Lease it creates (or takes over, when one of
 * its name is left over from an earlier run), renews with a merge patch of
 * renewTime (plus the annotations, when `setAnnotations` changed them), and
 * deletes on `stop()`. Unlike leader election nobody competes for it, so a
 * last-writer-wins patch is enough and no 409 retry loop is needed.
 */
export class HeartbeatLease {
  readonly #o: HeartbeatLeaseOptions;
  readonly #log: Logger;
  readonly #stop = new AbortController();
  readonly #callTimeoutMs: number;
  #desired: Record<string, string>;
  #written: Record<string, string> = {};
  #uid: string | undefined;
  #loop: Promise<void> | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #lost = false;

  constructor(opts: HeartbeatLeaseOptions) {
    this.#o = opts;
    this.#log = (opts.logger ?? silentLogger()).child({ lease: opts.name });
    this.#desired = { ...opts.annotations };
    // A hung call must not outlive half the lease.
    this.#callTimeoutMs = Math.min(opts.renewIntervalMs, (opts.leaseDurationSeconds * 1000) / 2);
  }

  /** Writes the lease once (throws if that fails), then renews in the background. */
  async start(): Promise<void> {
    if (this.#loop) throw new Error(`heartbeat lease ${this.#o.name} already started`);
    await this.#createOrTakeOver();
    this.#renewed();
    this.#loop = this.#renewLoop();
  }

  /** The annotations to publish; sent with the next renewal. */
  setAnnotations(annotations: Record<string, string>): void {
    this.#desired = { ...annotations };
  }

  /** Stops renewing and deletes the lease we wrote (best effort: errors are logged). */
  async stop(): Promise<void> {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    clearTimeout(this.#watchdog);
    await this.#loop;
    const { coordination, namespace, name } = this.#o;
    if (this.#uid === undefined) return; // never written
    try {
      await coordination.deleteNamespacedLease(
        // The uid precondition spares a lease someone else re-created meanwhile.
        { namespace, name, body: { preconditions: { uid: this.#uid } } },
        requestOptions({ timeoutMs: this.#callTimeoutMs }),
      );
    } catch (e) {
      if (!isNotFound(e)) this.#log.warn({ err: toKubeError(e) }, 'could not delete the lease');
    }
  }

  async #renewLoop(): Promise<void> {
    const { signal } = this.#stop;
    while (!signal.aborted) {
      await sleep(this.#o.renewIntervalMs, undefined, { signal }).catch(() => {});
      if (signal.aborted) return;
      try {
        await this.#renew();
        this.#renewed();
      } catch (e) {
        if (!signal.aborted) this.#log.warn({ err: toKubeError(e) }, 'renewing the lease failed');
      }
    }
  }

  async #renew(): Promise<void> {
    const { coordination, namespace, name, identity, leaseDurationSeconds } = this.#o;
    const desired = this.#desired;
    const annotations = annotationPatch(this.#written, desired);
    const body = {
      ...(annotations ? { metadata: { annotations } } : {}),
      spec: { holderIdentity: identity, leaseDurationSeconds, renewTime: microTime(new Date()) },
    };
    try {
      const lease: V1Lease = await coordination.patchNamespacedLease(
        { namespace, name, body },
        requestOptions(
          { timeoutMs: this.#callTimeoutMs, signal: this.#stop.signal },
          mergePatchOptions,
        ),
      );
      this.#uid = lease.metadata?.uid;
      this.#written = desired;
    } catch (e) {
      // Deleted under us (e.g. garbage-collected as dead): write it anew.
      if (!isNotFound(e)) throw e;
      this.#log.warn('the lease disappeared; re-creating it');
      await this.#createOrTakeOver();
    }
  }

  async #createOrTakeOver(): Promise<void> {
    const { coordination, namespace, name, identity, labels, leaseDurationSeconds } = this.#o;
    const desired = this.#desired;
    const opts = requestOptions({ timeoutMs: this.#callTimeoutMs, signal: this.#stop.signal });
    const now = toMicroTime(new Date());
    const spec: V1LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: now,
      renewTime: now,
    };
    let lease: V1Lease;
    try {
      lease = await coordination.createNamespacedLease(
        {
          namespace,
          body: {
            metadata: { name, namespace, labels: { ...labels }, annotations: desired },
            spec,
          },
        },
        opts,
      );
    } catch (e) {
      if (!isAlreadyExists(e)) throw toKubeError(e);
      const current = await coordination.readNamespacedLease({ namespace, name }, opts);
      const previous = current.spec?.holderIdentity;
      if (previous && previous !== identity) {
        this.#log.warn({ previous }, 'taking over a lease held by another identity');
      }
      const transitions = current.spec?.leaseTransitions ?? 0;
      lease = await coordination.replaceNamespacedLease(
        {
          namespace,
          name,
          body: {
            ...current, // its resourceVersion: a concurrent writer makes this fail, and we retry
            metadata: {
              ...current.metadata,
              labels: { ...current.metadata?.labels, ...labels },
              annotations: desired,
            },
            spec: {
              ...spec,
              leaseTransitions: previous === identity ? transitions : transitions + 1,
            },
          },
        },
        opts,
      );
    }
    this.#uid = lease.metadata?.uid;
    this.#written = desired;
  }

  // Re-arms the "lost" timer: it fires a lease duration after the last success.
  #renewed(): void {
    clearTimeout(this.#watchdog);
    if (this.#lost) this.#log.info('lease renewed again');
    this.#lost = false;
    this.#watchdog = setTimeout(() => {
      this.#lost = true;
      this.#log.error('no renewal for a whole lease duration: lease lost');
      try {
        this.#o.onLost();
      } catch (e) {
        this.#log.error({ err: e }, 'onLost threw');
      }
    }, this.#o.leaseDurationSeconds * 1000);
  }
}

/** The annotations part of a merge patch from `from` to `to` (null deletes), or undefined. */
function annotationPatch(
  from: Record<string, string>,
  to: Record<string, string>,
): Record<string, string | null> | undefined {
  const patch: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(to)) if (from[k] !== v) patch[k] = v;
  for (const k of Object.keys(from)) if (!(k in to)) patch[k] = null;
  return Object.keys(patch).length > 0 ? patch : undefined;
}
