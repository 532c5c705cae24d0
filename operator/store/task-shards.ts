import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { DagInstanceStatus, TaskStatus } from '../api/dag-instance.ts';
import {
  API_VERSION,
  DAG_INSTANCE,
  INSTANCE_LABEL,
  TASK_SHARD,
  taskShardResource,
} from '../api/names.ts';
import { TaskShard, describeZodError, type DagInstance } from '../api/objects.ts';
import { BoundedMap } from '../core/bounded-map.ts';
import { reassemble } from '../core/compaction.ts';
import { isAlreadyExists, isNotFound, kubeCall } from '../kube/errors.ts';
import { boundedName, subjectMetadata } from './labels.ts';
import { ShardIndex } from './shard-index.ts';
import type { OwnerInstance } from './task-results.ts';

/** Shard `index` of an instance: `<instance>-s<index>` (a long name keeps a prefix and a hash). */
export function taskShardName(instance: string, index: number): string {
  return boundedName(instance, `-s${index}`);
}

/** Shards read at once when a reader needs all of them. */
const PARALLEL_READS = 8;

/** Task entries the cache keeps per shard of its `cacheLimit`, on average. */
const ENTRIES_PER_CACHED_SHARD = 32;

/** A shard that should exist (index < status.shards) and does not, or does not parse. */
export class ShardUnreadableError extends Error {}

/**
 * The TaskShards of instances: written once by the operator (never
 * updated), read by the operator after a restart, by workers (the output
 * of a sharded parent) and by `kubectl fastflow` and the SDK. Immutable, so
 * a shard read once is cached for as long as its instance (by uid) lives.
 */
export class TaskShardStore {
  readonly #custom: CustomObjectsApi;
  /** `<namespace>/<shard name>@<instance uid>` → its entries. */
  readonly #cache: BoundedMap<string, Record<string, TaskStatus>>;
  readonly #index = new ShardIndex();

  constructor(custom: CustomObjectsApi, opts: { cacheLimit?: number } = {}) {
    this.#custom = custom;
    // Bounded by task entries too, as when a shard held at most 32: a shard now takes a whole
    // wave (up to SHARD_TASKS), and `cacheLimit` such shards would hold 30 times as many.
    const limit = opts.cacheLimit ?? 0;
    this.#cache = new BoundedMap({
      maxEntries: limit,
      maxSize: limit * ENTRIES_PER_CACHED_SHARD,
      sizeOf: (tasks) => Object.keys(tasks).length,
    });
  }

  /**
   * Writes shard `index` of the instance with `tasks`, owned by it; returns
   * the entries the shard holds: `tasks`, or those of the shard an earlier
   * pass wrote under that name before it could write the status (409).
   */
  async create(
    owner: OwnerInstance,
    index: number,
    tasks: Record<string, TaskStatus>,
  ): Promise<Record<string, TaskStatus>> {
    const name = taskShardName(owner.name, index);
    const body = {
      apiVersion: API_VERSION,
      kind: TASK_SHARD.kind,
      metadata: {
        name,
        namespace: owner.namespace,
        ...subjectMetadata({ [INSTANCE_LABEL]: owner.name }),
        ownerReferences: [
          { apiVersion: API_VERSION, kind: DAG_INSTANCE.kind, name: owner.name, uid: owner.uid },
        ],
      },
      spec: { instance: owner.name, index, tasks },
    };
    try {
      await kubeCall(() =>
        this.#custom.createNamespacedCustomObject({
          ...taskShardResource,
          namespace: owner.namespace,
          body,
        }),
      );
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      return this.read(owner, index);
    }
    this.#remember(owner, index, tasks);
    return tasks;
  }

  /** The entries of shard `index` of the instance. */
  async read(owner: OwnerInstance, index: number): Promise<Record<string, TaskStatus>> {
    const name = taskShardName(owner.name, index);
    const cached = this.#cache.get(cacheKey(owner, index));
    if (cached) return cached;
    let raw: unknown;
    try {
      raw = await kubeCall(() =>
        this.#custom.getNamespacedCustomObject({
          ...taskShardResource,
          namespace: owner.namespace,
          name,
        }),
      );
    } catch (err) {
      if (isNotFound(err)) throw new ShardUnreadableError(`TaskShard ${name} is missing`);
      throw err;
    }
    const parsed = TaskShard.safeParse(raw);
    // A shard of an earlier instance of the same name, not yet collected, is not this one's.
    const meta = parsed.data?.metadata as { ownerReferences?: { uid?: string }[] } | undefined;
    const uid = meta?.ownerReferences?.[0]?.uid;
    if (!parsed.success || (uid !== undefined && uid !== owner.uid)) {
      const why = parsed.success ? 'belongs to another instance' : describeZodError(parsed.error);
      throw new ShardUnreadableError(`TaskShard ${name} is unreadable: ${why}`);
    }
    this.#remember(owner, index, parsed.data.spec.tasks);
    return parsed.data.spec.tasks;
  }

  /** Shards `from` … status.shards - 1 of the instance, in index order. */
  async readAll(
    owner: OwnerInstance,
    status: DagInstanceStatus | undefined,
    from = 0,
  ): Promise<Record<string, TaskStatus>[]> {
    const indexes = Array.from(
      { length: Math.max(0, (status?.shards ?? 0) - from) },
      (_, i) => i + from,
    );
    const out: Record<string, TaskStatus>[] = [];
    for (let i = 0; i < indexes.length; i += PARALLEL_READS) {
      const batch = indexes.slice(i, i + PARALLEL_READS);
      out.push(...(await Promise.all(batch.map((n) => this.read(owner, n)))));
    }
    return out;
  }

  /** The instance in today's shape: status.tasks holding every task's entry (see reassemble). */
  async whole(instance: DagInstance): Promise<DagInstance> {
    if (!instance.status?.shards) return instance;
    const shards = await this.readAll(ownerOf(instance), instance.status);
    return reassemble(
      instance,
      shards.map((tasks) => ({ tasks })),
    );
  }

  /**
   * The entries of `tasks` that are in the instance's shards (absent from
   * status): what a worker renders `{{tasks.X.output}}` from when X's entry
   * left status (an inline output, or the reference to its data object).
   * Shards are looked at newest first (a recent parent is in a recent one),
   * those not read before in batches, and a key the index places is read
   * from its shard alone.
   */
  async entries(
    owner: OwnerInstance,
    status: DagInstanceStatus,
    tasks: readonly string[],
  ): Promise<Record<string, TaskStatus>> {
    const remaining = new Set(tasks.filter((t) => status.tasks?.[t] === undefined));
    const found: Record<string, TaskStatus> = {};
    const at = `${owner.namespace}/${owner.name}@${owner.uid}`;
    const readNow = new Map<number, Record<string, TaskStatus>>();
    for (
      let top = (status.shards ?? 0) - 1;
      top >= 0 && remaining.size > 0;
      top -= PARALLEL_READS
    ) {
      const batch = Array.from({ length: Math.min(PARALLEL_READS, top + 1) }, (_, i) => top - i);
      const unread = batch.filter((n) => !this.#index.isRead(at, n));
      const shards = await Promise.all(unread.map((n) => this.read(owner, n)));
      unread.forEach((n, i) => {
        readNow.set(n, shards[i] ?? {});
        this.#index.add(at, n, Object.keys(shards[i] ?? {}));
      });
      for (const n of batch) {
        const here = [...remaining].filter((t) => this.#index.newest(at, t) === n);
        if (here.length === 0) continue;
        const shard = readNow.get(n) ?? (await this.read(owner, n));
        for (const t of here) {
          if (shard[t] !== undefined) found[t] = shard[t];
          remaining.delete(t);
        }
      }
    }
    return found;
  }

  #remember(owner: OwnerInstance, index: number, tasks: Record<string, TaskStatus>): void {
    this.#cache.set(cacheKey(owner, index), tasks);
  }
}

function cacheKey(owner: OwnerInstance, index: number): string {
  return `${owner.namespace}/${taskShardName(owner.name, index)}@${owner.uid}`;
}

/** An instance as the owner of its shards. */
export function ownerOf(instance: DagInstance): OwnerInstance {
  const { namespace = '', name, uid = '' } = instance.metadata;
  return { namespace, name, uid };
}
