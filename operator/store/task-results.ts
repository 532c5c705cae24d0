import { createHash } from 'node:crypto';
import { boundedName } from './labels.ts';
import type { CustomObjectsApi, V1OwnerReference } from '@kubernetes/client-node';
import { API_VERSION, DAG_INSTANCE, TASK_RESULT, taskResultResource } from '../api/names.ts';
import type { AttemptResult } from '../api/task-result.ts';
import { isConflict, isNotFound, kubeCall } from '../kube/errors.ts';
import { mergePatchOptions } from '../kube/patch.ts';
import type { ObjectRef } from '../kube/types.ts';

/** An instance as the owner of what is written beside it. */
export interface OwnerInstance extends ObjectRef {
  uid: string;
}

/**
 * The one TaskResult of a worker in an instance: named after both, so a
 * worker always writes the same object and two workers never share one.
 */
export function taskResultName(instance: string, worker: string): string {
  const hash = createHash('sha256').update(worker).digest('hex').slice(0, 10);
  // Two long instance names sharing a prefix keep apart (the whole name is hashed in).
  return boundedName(instance, `-r${hash}`);
}

/** Entries to write (a result) or to drop (null) in one write of a worker's results. */
export type ResultChanges = Record<string, AttemptResult | null>;

/**
 * A worker's side of its TaskResult: creates it (owned by the instance, so
 * it goes with it) or merges changes into it. Errors are thrown as they come
 * (KubeApiError); the caller decides what a refusal means.
 */
export class TaskResultWriter {
  readonly #custom: CustomObjectsApi;
  readonly #worker: string;

  constructor(custom: CustomObjectsApi, worker: string) {
    this.#custom = custom;
    this.#worker = worker;
  }

  async create(instance: OwnerInstance, changes: ResultChanges): Promise<void> {
    const results = Object.fromEntries(Object.entries(changes).filter(([, r]) => r !== null));
    const owner: V1OwnerReference = {
      apiVersion: API_VERSION,
      kind: DAG_INSTANCE.kind,
      name: instance.name,
      uid: instance.uid,
    };
    const body = {
      apiVersion: API_VERSION,
      kind: TASK_RESULT.kind,
      metadata: {
        name: taskResultName(instance.name, this.#worker),
        namespace: instance.namespace,
        ownerReferences: [owner],
      },
      spec: { instance: instance.name, worker: this.#worker, results },
    };
    await kubeCall(() =>
      this.#custom.createNamespacedCustomObject({
        ...taskResultResource,
        namespace: instance.namespace,
        body,
      }),
    );
  }

  async patch(instance: ObjectRef, changes: ResultChanges): Promise<void> {
    await kubeCall(() =>
      this.#custom.patchNamespacedCustomObject(
        {
          ...taskResultResource,
          namespace: instance.namespace,
          name: taskResultName(instance.name, this.#worker),
          body: { spec: { results: changes } },
        },
        mergePatchOptions,
      ),
    );
  }
}

/**
 * The operator's side: deletes a TaskResult it has folded, only if nothing
 * was written to it since (its resourceVersion). Returns false when it had
 * changed (fold again) and true when it is gone.
 */
export async function deleteTaskResult(
  custom: CustomObjectsApi,
  ref: ObjectRef,
  resourceVersion: string | undefined,
): Promise<boolean> {
  try {
    await kubeCall(() =>
      custom.deleteNamespacedCustomObject({
        ...taskResultResource,
        ...ref,
        body: { preconditions: resourceVersion ? { resourceVersion } : {} },
      }),
    );
    return true;
  } catch (err) {
    if (isNotFound(err)) return true;
    if (isConflict(err)) return false;
    throw err;
  }
}
