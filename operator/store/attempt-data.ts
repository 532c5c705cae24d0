import type { CoreV1Api, V1ConfigMap, V1OwnerReference } from '@kubernetes/client-node';
import { ATTEMPT_DATA_KEYS, type AttemptDataKey } from '../api/attempt-data.ts';
import { BoundedMap } from '../core/bounded-map.ts';
import { isAlreadyExists, kubeCall } from '../kube/errors.ts';
import type { ObjectRef } from '../kube/types.ts';
import {
  ATTEMPT_OBJECT_LABELS,
  attemptObjectMetadata,
  attemptObjectName,
  attemptObjectSelector,
  type AttemptRef,
} from './attempt-objects.ts';
import { subjectOf } from './labels.ts';

/** An attempt's values read back from its data object (JSON parsed). */
export type AttemptValues = Partial<Record<AttemptDataKey, unknown>>;

/** The data object exists with other content or another owner: try again later. */
export class AttemptDataConflictError extends Error {}

/** Bytes of values kept in the read cache; the oldest entries go first beyond it. */
const CACHE_BYTES = 64 * 1024 * 1024;

/** The ConfigMap holding an attempt's output and params above the inline bound. */
export function attemptDataName(a: AttemptRef): string {
  return attemptObjectName('data', a);
}

/**
 * Attempt data objects: one immutable ConfigMap per attempt, owned by the
 * instance, created by the worker before the result that names it, so a
 * reader that sees the name in status always finds the object. Immutable and
 * tied to the instance's uid, a read is cached for as long as memory allows.
 */
export class AttemptDataStore {
  readonly #core: CoreV1Api;
  readonly #cache = new BoundedMap<string, { values: AttemptValues; bytes: number }>({
    maxEntries: Infinity,
    maxSize: CACHE_BYTES,
    sizeOf: (entry) => entry.bytes,
  });

  constructor(core: CoreV1Api) {
    this.#core = core;
  }

  /**
   * Creates the attempt's data object holding `stored` (JSON text by key) and
   * returns its name. Creating it again with the same content is a success
   * (a retried create that had landed).
   */
  async create(
    a: AttemptRef,
    owner: V1OwnerReference,
    stored: Partial<Record<AttemptDataKey, string>>,
  ): Promise<string> {
    const name = attemptDataName(a);
    const namespace = a.instance.namespace;
    const data = Object.fromEntries(Object.entries(stored).filter(([, v]) => v !== undefined));
    const body: V1ConfigMap = {
      metadata: { name, namespace, ownerReferences: [owner], ...attemptObjectMetadata('data', a) },
      immutable: true,
      data,
    };
    try {
      await kubeCall(() => this.#core.createNamespacedConfigMap({ namespace, body }));
      return name;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const there = await this.#core.readNamespacedConfigMap({ namespace, name });
    const sameOwner = there.metadata?.ownerReferences?.some((o) => o.uid === owner.uid);
    if (!sameOwner || JSON.stringify(there.data ?? {}) !== JSON.stringify(data)) {
      throw new AttemptDataConflictError(
        `ConfigMap ${namespace}/${name} exists with other content (left by an earlier instance of that name?)`,
      );
    }
    return name;
  }

  /** The values in data object `name` of the instance with uid `ownerUid`. */
  async read(namespace: string, name: string, ownerUid: string): Promise<AttemptValues> {
    const key = `${ownerUid}/${name}`;
    const cached = this.#cache.get(key);
    if (cached) return cached.values;
    const cm = await this.#core.readNamespacedConfigMap({ namespace, name });
    if (!cm.metadata?.ownerReferences?.some((o) => o.uid === ownerUid)) {
      throw new AttemptDataConflictError(
        `ConfigMap ${namespace}/${name} belongs to another instance of the same name`,
      );
    }
    const values = valuesOf(cm);
    this.#remember(key, values, JSON.stringify(cm.data ?? {}).length);
    return values;
  }

  /** Every attempt data object of an instance, by name: one list, for readers of a whole instance. */
  async list(instance: ObjectRef): Promise<Map<string, AttemptValues>> {
    const found = new Map<string, AttemptValues>();
    let token: string | undefined;
    do {
      const page = await this.#core.listNamespacedConfigMap({
        namespace: instance.namespace,
        labelSelector: attemptObjectSelector('data', instance.name),
        limit: 500,
        ...(token ? { _continue: token } : {}),
      });
      for (const cm of page.items) {
        if (subjectOf(cm.metadata, ATTEMPT_OBJECT_LABELS.instance) !== instance.name) continue;
        found.set(cm.metadata?.name ?? '', valuesOf(cm));
      }
      token = page.metadata?._continue || undefined;
    } while (token);
    return found;
  }

  #remember(key: string, values: AttemptValues, bytes: number): void {
    this.#cache.set(key, { values, bytes });
  }
}

/** The values of a data object; a value that is not JSON is left out (never written so). */
function valuesOf(cm: V1ConfigMap): AttemptValues {
  const values: AttemptValues = {};
  for (const key of ATTEMPT_DATA_KEYS) {
    const text = cm.data?.[key];
    if (text === undefined) continue;
    try {
      values[key] = JSON.parse(text) as unknown;
    } catch {
      // Only a hand-edited object gets here; the reader reports the value as missing.
    }
  }
  return values;
}
