import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { DagStatus } from '../api/dag.ts';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import { mergePatchDiff } from '../core/merge-patch.ts';
import { labelledWorkers, workerLabelChange, type LabelChange } from '../core/worker-labels.ts';
import { isConflict, kubeCall } from '../kube/errors.ts';
import { mergePatchOptions } from '../kube/patch.ts';
import type { ObjectRef } from '../kube/types.ts';
import { STATUS_FIELD_MANAGER } from './refs.ts';
import { dagResource, instanceResource } from '../api/names.ts';

/**
 * Writes the operator's view of an instance's status: only what changed, as a
 * merge patch conditional on the resourceVersion it was computed from. A
 * conflict (409) means the object changed since (the operator's own label
 * write, a user's annotation): the caller re-reads and decides again instead
 * of overwriting it. Returns the object written, or undefined when nothing
 * changed.
 */
export async function writeInstanceStatus(
  custom: CustomObjectsApi,
  current: DagInstance,
  next: DagInstanceStatus,
): Promise<DagInstance | undefined> {
  const diff = mergePatchDiff(current.status ?? {}, next);
  if (diff === undefined) return undefined;
  const { namespace = '', name, resourceVersion } = current.metadata;
  return (await kubeCall(() =>
    custom.patchNamespacedCustomObjectStatus(
      {
        ...instanceResource,
        fieldManager: STATUS_FIELD_MANAGER,
        namespace,
        name,
        body: { metadata: { resourceVersion }, status: diff },
      },
      mergePatchOptions,
    ),
  )) as DagInstance;
}

/**
 * Keeps the `w.fastflow.io/<worker>` labels equal to `workers`, the workers
 * that must see the instance's writes (see core/worker-labels.ts), so that a
 * worker's filtered watch sees an instance only while it holds a task there.
 * Called after the status write: a worker whose label is added then receives
 * the object with its assignment. A removal is conditional on the
 * resourceVersion `workers` was computed from, so a label never goes while a
 * newer version assigns that worker something. Should a newer version exist
 * (409: often the operator's own label write, not yet in its cache), the
 * labels are computed again from a fresh read; should that meet a newer one
 * still, the additions go alone and the removals wait for the pass that the
 * newer write brings. Returns the versions it wrote over: a cache that still
 * shows one of them is behind.
 */
export async function syncWorkerLabels(
  custom: CustomObjectsApi,
  instance: DagInstance,
  workers: ReadonlySet<string>,
  reread: () => Promise<DagInstance | undefined>,
): Promise<string[]> {
  const first = await tryWorkerLabels(custom, instance, workers, false);
  if (first.done) return first.over;
  const fresh = await reread();
  if (!fresh) return first.over;
  const again = await tryWorkerLabels(custom, fresh, labelledWorkers(fresh.status ?? {}), true);
  return [...first.over, ...again.over];
}

/**
 * `done` false when a removal met a newer version (and, if `last`, the
 * additions were made alone); `over`: the resourceVersion a write landed
 * on top of (the returned list says which versions are now outdated).
 */
async function tryWorkerLabels(
  custom: CustomObjectsApi,
  instance: DagInstance,
  workers: ReadonlySet<string>,
  last: boolean,
): Promise<{ done: boolean; over: string[] }> {
  const change = workerLabelChange(instance.metadata.labels ?? {}, workers);
  if (change === undefined) return { done: true, over: [] };
  const { namespace = '', name, resourceVersion } = instance.metadata;
  const patch = async (metadata: object): Promise<void> => {
    await kubeCall(() =>
      custom.patchNamespacedCustomObject(
        { ...instanceResource, namespace, name, body: { metadata } },
        mergePatchOptions,
      ),
    );
  };
  const over = resourceVersion ? [resourceVersion] : [];
  if (!change.removes) {
    await patch({ labels: change.labels });
    return { done: true, over };
  }
  try {
    await patch({ labels: change.labels, resourceVersion });
    return { done: true, over };
  } catch (e) {
    if (!isConflict(e)) throw e;
  }
  const additions = Object.entries(change.labels).filter(([, v]) => v !== null);
  if (!last || additions.length === 0) return { done: false, over: [] };
  await patch({ labels: Object.fromEntries(additions) });
  return { done: false, over };
}

/**
 * Adds worker labels ahead of a status write (core/start-labels.ts),
 * conditional on the version the status was decided from, so that the
 * status can be written on top of the version this returns as if on that
 * one: nothing but the labels changed in between. A 409 goes to the caller
 * (it reads afresh and decides again).
 */
export async function addWorkerLabelsFirst(
  custom: CustomObjectsApi,
  instance: DagInstance,
  change: LabelChange,
): Promise<unknown> {
  const { namespace = '', name, resourceVersion } = instance.metadata;
  const metadata = { labels: change.labels, resourceVersion };
  return kubeCall(() =>
    custom.patchNamespacedCustomObject(
      { ...instanceResource, namespace, name, body: { metadata } },
      mergePatchOptions,
    ),
  );
}

/** Writes a Dag's status when it changed (the operator is its only writer). */
export async function writeDagStatus(
  custom: CustomObjectsApi,
  ref: ObjectRef,
  current: DagStatus | undefined,
  next: DagStatus,
): Promise<void> {
  const diff = mergePatchDiff(current ?? {}, next);
  if (diff === undefined) return;
  const { namespace, name } = ref;
  await kubeCall(() =>
    custom.patchNamespacedCustomObjectStatus(
      { ...dagResource, namespace, name, body: { status: diff } },
      mergePatchOptions,
    ),
  );
}
