import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { DagStatus } from '../api/dag.ts';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import { WORKER_LABEL_PREFIX, workerLabel } from '../api/names.ts';
import type { DagInstance } from '../api/objects.ts';
import { mergePatchDiff } from '../core/merge-patch.ts';
import { toKubeError } from '../kube/errors.ts';
import { mergePatchOptions } from '../kube/patch.ts';
import type { ObjectRef } from '../kube/types.ts';
import { STATUS_FIELD_MANAGER } from './refs.ts';
import { dagResource, instanceResource } from '../api/names.ts';

/**
 * Writes the operator's view of an instance's status: only what changed, as a
 * merge patch conditional on the resourceVersion it was computed from. A
 * conflict (409) means a worker or another writer got there first: the caller
 * re-reads and decides again instead of overwriting it. Returns whether a
 * write happened.
 */
export async function writeInstanceStatus(
  custom: CustomObjectsApi,
  current: DagInstance,
  next: DagInstanceStatus,
): Promise<DagInstance | undefined> {
  const diff = mergePatchDiff(current.status ?? {}, next);
  if (diff === undefined) return undefined;
  const { namespace = '', name, resourceVersion } = current.metadata;
  try {
    return (await custom.patchNamespacedCustomObjectStatus(
      {
        ...instanceResource,
        fieldManager: STATUS_FIELD_MANAGER,
        namespace,
        name,
        body: { metadata: { resourceVersion }, status: diff },
      },
      mergePatchOptions,
    )) as DagInstance;
  } catch (e) {
    throw toKubeError(e);
  }
}

/**
 * Keeps the `w.fastflow.io/<worker>` labels in step with the workers that hold
 * tasks of the instance: added while it runs (so those workers' filtered
 * watches see it), all removed once it has finished.
 */
export async function syncWorkerLabels(
  custom: CustomObjectsApi,
  instance: DagInstance,
  workers: ReadonlySet<string>,
  finished: boolean,
): Promise<void> {
  const labels = instance.metadata.labels ?? {};
  const change: Record<string, string | null> = {};
  for (const w of workers) {
    if (!finished && !(workerLabel(w) in labels)) change[workerLabel(w)] = '';
  }
  if (finished) {
    for (const key of Object.keys(labels)) {
      if (key.startsWith(WORKER_LABEL_PREFIX)) change[key] = null;
    }
  }
  if (Object.keys(change).length === 0) return;
  const { namespace = '', name } = instance.metadata;
  try {
    await custom.patchNamespacedCustomObject(
      { ...instanceResource, namespace, name, body: { metadata: { labels: change } } },
      mergePatchOptions,
    );
  } catch (e) {
    throw toKubeError(e);
  }
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
  try {
    await custom.patchNamespacedCustomObjectStatus(
      { ...dagResource, namespace, name, body: { status: diff } },
      mergePatchOptions,
    );
  } catch (e) {
    throw toKubeError(e);
  }
}
