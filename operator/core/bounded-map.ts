/**
 * A Map that keeps at most `maxEntries` entries and, given `sizeOf`, at most
 * `maxSize` of their sizes, dropping the oldest first: the caches of
 * immutable objects (snapshots, shards, attempt data, layouts) and of parsed
 * expressions. "Oldest" is the order of `set` (a read does not renew an
 * entry): what was read once long ago goes before what was just read.
 */
export interface BoundedMapLimits<V> {
  maxEntries: number;
  /** Bounds the sum of `sizeOf` over the entries kept (e.g. bytes). */
  maxSize?: number;
  sizeOf?: (value: V) => number;
}

export class BoundedMap<K, V> {
  readonly #entries = new Map<K, { value: V; size: number }>();
  readonly #limits: BoundedMapLimits<V>;
  #total = 0;

  constructor(limits: BoundedMapLimits<V>) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key)?.value;
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Keeps `value` as the newest entry, then drops the oldest beyond the limits. */
  set(key: K, value: V): this {
    this.delete(key);
    const size = this.#limits.sizeOf?.(value) ?? 0;
    this.#entries.set(key, { value, size });
    this.#total += size;
    const maxSize = this.#limits.maxSize ?? Infinity;
    // A Map iterates in insertion order: the first entries are the oldest.
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.#limits.maxEntries && this.#total <= maxSize) break;
      this.#entries.delete(oldest);
      this.#total -= entry.size;
    }
    return this;
  }

  delete(key: K): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    this.#total -= entry.size;
    return true;
  }
}
