import type { CustomObjectsApi } from '@kubernetes/client-node';
import { instanceResource } from '../api/names.ts';
import { isNotFound, kubeCall } from '../kube/errors.ts';
import type { ObjectRef } from '../kube/types.ts';

/**
 * A DagInstance as the API server has it now, not as a cache saw it (a
 * reader that must not act on a stale or not yet seen copy), unparsed:
 * undefined when there is none. Every other failure is thrown (a KubeApiError).
 */
export async function readInstance(custom: CustomObjectsApi, ref: ObjectRef): Promise<unknown> {
  try {
    return await kubeCall(() => custom.getNamespacedCustomObject({ ...instanceResource, ...ref }));
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
