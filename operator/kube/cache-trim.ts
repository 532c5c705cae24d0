/**
 * What an informer cache leaves out of each object: the parts the API server
 * keeps that fastflow never reads, but that would cost the operator's memory
 * once per cached object (controller-runtime's cache `DefaultTransform`
 * does the same). `metadata.managedFields` records every field's owner: on a
 * DagInstance it is as large as its status, and parsed it is hundreds of
 * small objects. kubectl's last-applied copy repeats the whole spec.
 *
 * The bytes left out stay known: the operator bounds the size of the *whole*
 * object it writes (docs/architecture.md, "The bound holds for the whole
 * object"), so `serializedBytes` adds them back.
 */
import type { KubeObject } from './types.ts';

/** The annotation `kubectl apply` (client side) keeps the last applied object in. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Bytes left out of each cached object, by its metadata (an object, so a spread copy keeps it). */
const trimmed = new WeakMap<object, number>();

/**
 * `raw` (an object as the API server sent it, owned by the caller) without
 * managedFields and the last-applied annotation, through `parse`; the bytes
 * left out are remembered for `serializedBytes` of the result.
 */
export function trimForCache<T extends KubeObject>(raw: unknown, parse: (raw: unknown) => T): T {
  const metadata = metadataOf(raw);
  const left = metadata ? dropUnread(metadata) : 0;
  const obj = parse(raw);
  if (left > 0 && obj.metadata) trimmed.set(obj.metadata, left);
  return obj;
}

/**
 * The size of `obj` as JSON, as the API server stores it: what the cache left
 * out of its metadata counted in. A copy made with a spread (`{ ...obj,
 * status }`) shares the metadata, and so the count.
 */
export function serializedBytes(obj: KubeObject): number {
  const left = obj.metadata ? (trimmed.get(obj.metadata) ?? 0) : 0;
  return jsonBytes(obj) + left;
}

/** Drops the parts fastflow never reads from `metadata` (the caller's); the JSON bytes they took. */
function dropUnread(metadata: Record<string, unknown>): number {
  const annotations = metadata['annotations'];
  const lastApplied =
    typeof annotations === 'object' &&
    annotations !== null &&
    Object.hasOwn(annotations, LAST_APPLIED_ANNOTATION);
  if (!Object.hasOwn(metadata, 'managedFields') && !lastApplied) return 0;
  const before = jsonBytes(metadata);
  delete metadata['managedFields'];
  if (lastApplied) delete (annotations as Record<string, unknown>)[LAST_APPLIED_ANNOTATION];
  return before - jsonBytes(metadata);
}

function metadataOf(raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== 'object' || raw === null || !('metadata' in raw)) return undefined;
  const m = raw.metadata;
  return typeof m === 'object' && m !== null ? (m as Record<string, unknown>) : undefined;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}
