/** A Dag snapshot as the collection sees it. */
export interface SnapshotSeen {
  key: string;
  /** creationTimestamp (ms since the epoch). */
  createdAt: number;
}

/**
 * The Dag snapshots to delete: no instance references them (status.dagRevision),
 * they were created at least `graceMs` ago, and this operator has not handed
 * them out to a starting instance for as long. The grace covers an instance
 * that has written or reused a snapshot but whose status, naming it, is not
 * yet in the caches the references come from.
 */
export function collectableSnapshots(
  snapshots: readonly SnapshotSeen[],
  referenced: ReadonlySet<string>,
  lastUsed: (key: string) => number | undefined,
  now: number,
  graceMs: number,
): string[] {
  const before = now - graceMs;
  return snapshots
    .filter((s) => !referenced.has(s.key))
    .filter((s) => s.createdAt <= before && (lastUsed(s.key) ?? -Infinity) <= before)
    .map((s) => s.key);
}
