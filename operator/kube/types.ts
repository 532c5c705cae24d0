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

/**
 * The cache and work-queue key of an object: `namespace/name`, or `name` for
 * cluster-scoped objects (the controller-runtime `Request` convention).
 * Undefined when the object has no name (never the case for stored objects).
 */
export function objectKey(obj: KubeObject): string | undefined {
  const name = obj.metadata?.name;
  if (!name) return undefined;
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${name}` : name;
}

/** The inverse of `objectKey`. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  if (slash < 0) return { name: key };
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
