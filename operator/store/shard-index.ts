import { BoundedMap } from '../core/bounded-map.ts';

/** Instances whose shard index a process keeps (a worker runs tasks of many). */
const OWNERS_KEPT = 64;

interface OwnerIndex {
  /** Shards whose keys are in `newest`. */
  read: Set<number>;
  /** Task key → the newest shard read that holds it. */
  newest: Map<string, number>;
}

/**
 * Which TaskShard of an instance holds each task key, learned from the
 * shards read: a reader looking for a parent's entry reads the shard that
 * holds it instead of all of them. Shards are immutable and numbered in the
 * order they were written; a task reopened by an operation and finished
 * again is in a newer one too, so the newest holding a key is its entry.
 */
export class ShardIndex {
  readonly #owners = new BoundedMap<string, OwnerIndex>({ maxEntries: OWNERS_KEPT });

  isRead(owner: string, shard: number): boolean {
    return this.#owners.get(owner)?.read.has(shard) ?? false;
  }

  add(owner: string, shard: number, keys: readonly string[]): void {
    const index = this.#of(owner);
    index.read.add(shard);
    for (const k of keys) {
      if ((index.newest.get(k) ?? -1) < shard) index.newest.set(k, shard);
    }
  }

  /** The newest shard read that holds `key`. */
  newest(owner: string, key: string): number | undefined {
    return this.#owners.get(owner)?.newest.get(key);
  }

  #of(owner: string): OwnerIndex {
    let index = this.#owners.get(owner);
    if (index) return index;
    index = { read: new Set(), newest: new Map() };
    this.#owners.set(owner, index);
    return index;
  }
}
