import type { CustomObjectsApi } from '@kubernetes/client-node';
import { instanceResource } from '../api/names.ts';
import type { DagInstance } from '../api/objects.ts';
import {
  dagLifecycleOf,
  finishedInstanceOf,
  planInstanceGc,
  type FinishedInstance,
  type GcReason,
} from '../core/instance-gc.ts';
import type { ReconcileResult } from '../kube/controller.ts';
import { isConflict, isNotFound, kubeCall } from '../kube/errors.ts';
import { keyOf, refOf, type KubeObject } from '../kube/types.ts';
import type { Logger } from '../log.ts';

export interface InstanceGcDeps {
  custom: CustomObjectsApi;
  /** The informers' copies. */
  instance: (key: string) => DagInstance | undefined;
  dag: (key: string) => KubeObject | undefined;
  /** The operator's default TTL (0: keep). */
  operatorTtlSeconds: number;
  /** Told of each instance deleted (metrics). */
  onDeleted?: () => void;
  log: Logger;
  now?: () => Date;
}

/**
 * Deletes finished instances whose TTL ran out or that are beyond their
 * Dag's history limits. Keyed by Dag (`namespace/dagRef.name`, whether or
 * not that Dag still exists): an index of the finished instances of each Dag
 * is kept from the instance informer, a pass plans from it in memory
 * (core/instance-gc.ts) and asks to be run again when the next TTL runs out,
 * so nothing polls.
 */
export class InstanceGc {
  readonly #d: InstanceGcDeps;
  /** Finished instances by Dag key, and the Dag key of each. */
  readonly #byDag = new Map<string, Set<string>>();
  readonly #dagOf = new Map<string, string>();

  constructor(deps: InstanceGcDeps) {
    this.#d = deps;
  }

  /** Keeps the index in step with an informer event; returns the Dag key to look at, if any. */
  observe(key: string, instance: DagInstance | undefined): string | undefined {
    const dagKey =
      instance && finishedInstanceOf(key, instance)
        ? keyOf({ namespace: instance.metadata.namespace, name: instance.spec.dagRef.name })
        : undefined;
    const before = this.#dagOf.get(key);
    if (before !== undefined && before !== dagKey) {
      this.#byDag.get(before)?.delete(key);
      if (this.#byDag.get(before)?.size === 0) this.#byDag.delete(before);
      this.#dagOf.delete(key);
    }
    if (dagKey === undefined) return undefined;
    this.#dagOf.set(key, dagKey);
    const members = this.#byDag.get(dagKey) ?? new Set<string>();
    members.add(key);
    this.#byDag.set(dagKey, members);
    return dagKey;
  }

  async reconcile(dagKey: string, signal: AbortSignal): Promise<ReconcileResult> {
    const now = (this.#d.now ?? (() => new Date()))();
    const finished: FinishedInstance[] = [];
    const objects = new Map<string, DagInstance>();
    for (const key of this.#byDag.get(dagKey) ?? []) {
      const instance = this.#d.instance(key);
      const seen = instance && finishedInstanceOf(key, instance);
      if (!instance || !seen) continue;
      finished.push(seen);
      objects.set(key, instance);
    }
    const lifecycle = dagLifecycleOf(this.#d.dag(dagKey)?.['spec']);
    const plan = planInstanceGc(finished, lifecycle, this.#d.operatorTtlSeconds, now);
    for (const { key, reason } of plan.delete) {
      // A process that lost its leadership must not delete anything.
      if (signal.aborted) throw new Error('leadership lost: deletion skipped');
      const instance = objects.get(key);
      if (instance) await this.#delete(key, instance, reason);
    }
    return plan.wakeAt
      ? { requeueAfterMs: Math.max(1, plan.wakeAt.getTime() - now.getTime()) }
      : {};
  }

  /**
   * Deletes the instance as last seen: the uid and resourceVersion
   * preconditions make the API server refuse if it changed since (a retry
   * reopened it, say); its next event brings it back here.
   */
  async #delete(key: string, instance: DagInstance, reason: GcReason): Promise<void> {
    const { uid, resourceVersion } = instance.metadata;
    try {
      await kubeCall(() =>
        this.#d.custom.deleteNamespacedCustomObject({
          ...instanceResource,
          ...refOf(key),
          propagationPolicy: 'Background',
          body: { preconditions: { uid, resourceVersion } },
        }),
      );
      this.#d.onDeleted?.();
      this.#d.log.info({ instance: key, reason }, 'finished instance deleted');
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}
