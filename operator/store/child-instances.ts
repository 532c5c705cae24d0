import { createHash } from 'node:crypto';
import type { CustomObjectsApi, V1OwnerReference } from '@kubernetes/client-node';
import {
  API_VERSION,
  DAG_INSTANCE,
  OPERATION_ANNOTATIONS,
  instanceResource,
} from '../api/names.ts';
import type { DagInstance } from '../api/objects.ts';
import { isAlreadyExists, isNotFound, kubeCall } from '../kube/errors.ts';
import { mergePatchOptions } from '../kube/patch.ts';
import { boundedName, subjectMetadata, subjectOf } from './labels.ts';

/**
 * DagInstances the operator starts on behalf of another: the child of a
 * subDag task's attempt (owned by the parent, so deleting the parent deletes
 * it) and the instance of a Dag's `onFailure` (not owned: it outlives the
 * failed one). Each name is derived from what it is for, so creating it again
 * after a crash finds the first (AlreadyExists), never a second.
 */
export const CHILD_LABELS = {
  /** The parent instance (label: `labelValue`; annotation: the full name). */
  parent: 'fastflow.io/parent',
  /** The subDag task of the parent that runs it. */
  task: 'fastflow.io/parent-task',
  /** That task's attempt. */
  attempt: 'fastflow.io/parent-attempt',
  /** Parents above it: 1 for a child of a root instance. */
  depth: 'fastflow.io/depth',
  /** On an onFailure instance: the failed instance it handles. */
  failedInstance: 'fastflow.io/failed-instance',
  /** On an onExit instance: the instance that ended. */
  exitedInstance: 'fastflow.io/exited-instance',
} as const;

/** The value of fastflow.io/cancel a parent sets on a child it no longer runs. */
export const CANCELED_BY_PARENT = 'by-parent';

/** `<parent>-<task>-<attempt>`; a task id a name cannot hold is lowered and gets a hash. */
export function childInstanceName(parent: string, task: string, attempt: number): string {
  const safe = task.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const hash = createHash('sha256').update(task).digest('hex').slice(0, 6);
  return boundedName(parent, `-${safe === task ? task : `${safe}-${hash}`}-${attempt}`);
}

/** The instance a Dag's onFailure (onExit) starts for instance `ended`: `<ended>-on-failure` (`-on-exit`). */
export function endRunInstanceName(ended: string, kind: 'onFailure' | 'onExit'): string {
  return boundedName(ended, kind === 'onFailure' ? '-on-failure' : '-on-exit');
}

/** How many parents are above an instance (its depth label; 0 for a root). */
export function depthOf(instance: DagInstance): number {
  const n = Number(instance.metadata.labels?.[CHILD_LABELS.depth] ?? 0);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** The parent instance's key (`namespace/name`) of a child, from its controller ownerReference. */
export function parentOf(instance: DagInstance): { name: string; uid: string } | undefined {
  const refs = (instance.metadata as { ownerReferences?: V1OwnerReference[] }).ownerReferences;
  const ref = refs?.find((r) => r.kind === DAG_INSTANCE.kind && r.controller === true);
  return ref ? { name: ref.name, uid: ref.uid } : undefined;
}

/** The subDag task and attempt a child runs for. */
export function childTaskOf(instance: DagInstance): { task: string; attempt: number } | undefined {
  const task = subjectOf(instance.metadata, CHILD_LABELS.task);
  const attempt = Number(instance.metadata.labels?.[CHILD_LABELS.attempt]);
  return task && Number.isInteger(attempt) ? { task, attempt } : undefined;
}

export interface ChildInstance {
  name: string;
  dagName: string;
  vars: Record<string, string>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  owner?: V1OwnerReference;
}

/** The metadata of the child of `parent`'s task `task` at `attempt`. */
export function subDagChild(
  parent: DagInstance,
  task: string,
  attempt: number,
  dagName: string,
  vars: Record<string, string>,
): ChildInstance {
  const { name, uid = '' } = parent.metadata;
  const subject = subjectMetadata({ [CHILD_LABELS.parent]: name, [CHILD_LABELS.task]: task });
  return {
    name: childInstanceName(name, task, attempt),
    dagName,
    vars,
    labels: {
      ...subject.labels,
      [CHILD_LABELS.attempt]: String(attempt),
      [CHILD_LABELS.depth]: String(depthOf(parent) + 1),
    },
    annotations: subject.annotations,
    owner: {
      apiVersion: API_VERSION,
      kind: DAG_INSTANCE.kind,
      name,
      uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  };
}

/** Creates the instance unless it exists (a create that landed before a crash): true if created. */
export async function createChildInstance(
  custom: CustomObjectsApi,
  namespace: string,
  child: ChildInstance,
): Promise<boolean> {
  const body = {
    apiVersion: API_VERSION,
    kind: DAG_INSTANCE.kind,
    metadata: {
      name: child.name,
      namespace,
      labels: child.labels,
      annotations: child.annotations,
      ...(child.owner ? { ownerReferences: [child.owner] } : {}),
    },
    spec: {
      dagRef: { name: child.dagName },
      ...(Object.keys(child.vars).length > 0 ? { vars: child.vars } : {}),
    },
  };
  return createInstanceOnce(custom, namespace, body);
}

/**
 * Creates an instance whose name says what it is for: false when that name
 * exists already (created before a crash, or by another asker), so it is
 * created at most once.
 */
export async function createInstanceOnce(
  custom: CustomObjectsApi,
  namespace: string,
  body: object,
): Promise<boolean> {
  try {
    await kubeCall(() =>
      custom.createNamespacedCustomObject({ ...instanceResource, namespace, body }),
    );
    return true;
  } catch (e) {
    if (isAlreadyExists(e)) return false;
    throw e;
  }
}

/**
 * Asks a child to cancel (acted on once by its own reconcile), naming what
 * asked (`by`: a parent by default; a schedule names the run that replaced
 * it); a child already gone is fine.
 */
export async function cancelChildInstance(
  custom: CustomObjectsApi,
  namespace: string,
  name: string,
  by: string = CANCELED_BY_PARENT,
): Promise<void> {
  const body = {
    metadata: { annotations: { [OPERATION_ANNOTATIONS.cancel]: by } },
  };
  try {
    await kubeCall(() =>
      custom.patchNamespacedCustomObject(
        { ...instanceResource, namespace, name, body },
        mergePatchOptions,
      ),
    );
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
