/**
 * The shape every Kubernetes object shares, as far as the informer and the
 * controllers need it. Deliberately structural: zod-parsed objects and the raw
 * JSON of the watch stream both fit. (client-node's model *classes*, e.g.
 * `V1ConfigMap`, do not: classes carry no index signature. Parse or copy them
 * into plain objects first.)
 */
export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
};

/** A namespaced object, named in full. */
export type ObjectRef = { namespace: string; name: string };

/**
 * The cache and work-queue key: `namespace/name`, or `name` for a
 * cluster-scoped object (the controller-runtime `Request` convention). The
 * one place such keys are built; `refOf` is its inverse.
 */
export function keyOf(ref: { namespace?: string | undefined; name: string }): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

/** `keyOf` an object; undefined when it has no name (never the case for stored objects). */
export function objectKey(obj: KubeObject): string | undefined {
  const name = obj.metadata?.name;
  return name ? keyOf({ namespace: obj.metadata?.namespace, name }) : undefined;
}

/**
 * The inverse of `keyOf`. A key without a namespace (a cluster-scoped
 * object's, or a bare name a user typed) gets `defaultNamespace`.
 */
export function refOf(key: string, defaultNamespace = ''): ObjectRef {
  const slash = key.indexOf('/');
  if (slash < 0) return { namespace: defaultNamespace, name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

// Raw watch objects are `unknown` until parsed; these read the two fields the
// informer needs even from an object that does not parse.

/** `objectKey` of an unparsed object. */
export function keyOfRaw(raw: unknown): string | undefined {
  const m = metadataOf(raw);
  const name = m?.['name'];
  const namespace = m?.['namespace'];
  return objectKey({
    metadata: {
      ...(typeof name === 'string' ? { name } : {}),
      ...(typeof namespace === 'string' ? { namespace } : {}),
    },
  });
}

/** `metadata.resourceVersion` of an unparsed object (a BOOKMARK carries nothing else). */
export function resourceVersionOf(raw: unknown): string | undefined {
  const rv = metadataOf(raw)?.['resourceVersion'];
  return typeof rv === 'string' ? rv : undefined;
}

function metadataOf(raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== 'object' || raw === null || !('metadata' in raw)) return undefined;
  const m = raw.metadata;
  return typeof m === 'object' && m !== null ? { ...m } : undefined;
}
