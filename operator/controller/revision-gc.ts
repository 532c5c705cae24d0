import type { AppsV1Api, V1ControllerRevisionList } from '@kubernetes/client-node';
import { DAG_NAME_LABEL } from '../api/names.ts';
import type { DagInstance } from '../api/objects.ts';
import { collectableSnapshots, type SnapshotSeen } from '../core/revision-gc.ts';
import { keyOf, refOf } from '../kube/types.ts';
import type { Logger } from '../log.ts';
import type { RevisionStore } from '../store/revisions.ts';

export interface RevisionGcDeps {
  apps: AppsV1Api;
  store: RevisionStore;
  /** The watched namespace; undefined: all. */
  namespace: string | undefined;
  /** Every instance in the informer's cache. */
  instances: () => DagInstance[];
  graceMs: number;
  log: Logger;
  now?: () => number;
}

/**
 * Deletes the Dag snapshots (ControllerRevisions labelled `fastflow.io/dag`)
 * that no instance references any more: one LIST, references from the
 * informer's cache, the decision in core (revision-gc.ts), each deletion
 * through the RevisionStore, which keeps it from racing an instance that
 * starts on the same snapshot meanwhile. Returns how many were deleted.
 */
export async function collectSnapshots(d: RevisionGcDeps, signal: AbortSignal): Promise<number> {
  const now = (d.now ?? Date.now)();
  const listed = await listSnapshots(d);
  const referenced = new Set<string>();
  for (const i of d.instances()) {
    const revision = i.status?.dagRevision;
    if (revision) referenced.add(keyOf({ namespace: i.metadata.namespace, name: revision }));
  }
  const keys = collectableSnapshots(
    [...listed.keys()].map((key) => listed.get(key)!.seen),
    referenced,
    (key) => d.store.lastUsed(refOf(key).namespace, refOf(key).name),
    now,
    d.graceMs,
  );
  let deleted = 0;
  for (const key of keys) {
    if (signal.aborted) break;
    if (await d.store.delete(refOf(key), listed.get(key)!.uid, now - d.graceMs)) {
      deleted++;
      d.log.info({ revision: key }, 'unreferenced Dag snapshot deleted');
    }
  }
  return deleted;
}

async function listSnapshots(
  d: RevisionGcDeps,
): Promise<Map<string, { seen: SnapshotSeen; uid: string }>> {
  const found = new Map<string, { seen: SnapshotSeen; uid: string }>();
  let _continue: string | undefined;
  do {
    const page: V1ControllerRevisionList = d.namespace
      ? await d.apps.listNamespacedControllerRevision({
          namespace: d.namespace,
          labelSelector: DAG_NAME_LABEL,
          limit: 500,
          ...(_continue ? { _continue } : {}),
        })
      : await d.apps.listControllerRevisionForAllNamespaces({
          labelSelector: DAG_NAME_LABEL,
          limit: 500,
          ...(_continue ? { _continue } : {}),
        });
    for (const r of page.items) {
      const { name, namespace, uid, creationTimestamp } = r.metadata ?? {};
      if (!name || !uid || !creationTimestamp) continue;
      const key = keyOf({ namespace, name });
      found.set(key, { seen: { key, createdAt: new Date(creationTimestamp).getTime() }, uid });
    }
    _continue = page.metadata?._continue;
  } while (_continue);
  return found;
}
