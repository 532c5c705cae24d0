import type { CoreV1Api, V1OwnerReference } from '@kubernetes/client-node';
import { INSTANCE_LABEL } from '../api/names.ts';
import { isNotFound, kubeCall, toKubeError } from '../kube/errors.ts';
import { mergePatchOptions } from '../kube/patch.ts';
import type { ObjectRef } from '../kube/types.ts';
import { boundedName, subjectMetadata } from './labels.ts';

/** Bound on one instance's share data (the ConfigMap holding it may reach 1 MiB). */
export const MAX_SHARE_DATA_BYTES = 256 * 1024;

export class ShareDataError extends Error {}

/** The ConfigMap that holds an instance's share data. */
export function shareDataName(instance: string): string {
  return boundedName(instance, '-share');
}

/**
 * An instance's share data (fastflow's ShareData): a string map in a
 * ConfigMap owned by the DagInstance, so it outlives worker and operator
 * restarts and is deleted with the instance. `set` sends one key as a merge
 * patch rather than rewriting the whole map, and a failed write throws: the
 * action sees it (fastflow deleted the key and went on).
 */
export class ShareDataStore {
  readonly #core: CoreV1Api;

  constructor(core: CoreV1Api) {
    this.#core = core;
  }

  async read(instance: ObjectRef): Promise<Record<string, string>> {
    try {
      const cm = await kubeCall(() =>
        this.#core.readNamespacedConfigMap({
          namespace: instance.namespace,
          name: shareDataName(instance.name),
        }),
      );
      return cm.data ?? {};
    } catch (err) {
      if (isNotFound(err)) return {};
      throw err;
    }
  }

  async set(
    instance: ObjectRef,
    owner: V1OwnerReference,
    key: string,
    value: string,
  ): Promise<void> {
    if (!/^[-._a-zA-Z0-9]{1,253}$/.test(key)) {
      throw new ShareDataError(
        `share data key ${JSON.stringify(key)} must be letters, digits, "-", "_" or "."`,
      );
    }
    if (Buffer.byteLength(value) > MAX_SHARE_DATA_BYTES) {
      throw new ShareDataError(
        `share data "${key}" is ${Buffer.byteLength(value)} bytes; the limit is ${MAX_SHARE_DATA_BYTES}`,
      );
    }
    const name = shareDataName(instance.name);
    try {
      await kubeCall(() =>
        this.#core.patchNamespacedConfigMap(
          { namespace: instance.namespace, name, body: { data: { [key]: value } } },
          mergePatchOptions,
        ),
      );
      return;
    } catch (err) {
      if (!isNotFound(err))
        throw new ShareDataError(`share data "${key}" not saved: ${String(err)}`);
    }
    try {
      await this.#core.createNamespacedConfigMap({
        namespace: instance.namespace,
        body: {
          metadata: {
            name,
            ownerReferences: [owner],
            ...subjectMetadata({ [INSTANCE_LABEL]: instance.name }),
          },
          data: { [key]: value },
        },
      });
    } catch (e) {
      // Another task of the instance created it first: write the key into it.
      await this.#core
        .patchNamespacedConfigMap(
          { namespace: instance.namespace, name, body: { data: { [key]: value } } },
          mergePatchOptions,
        )
        .catch((again: unknown) => {
          throw new ShareDataError(
            `share data "${key}" not saved: ${String(toKubeError(again ?? e))}`,
          );
        });
    }
  }
}
