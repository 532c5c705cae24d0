import { instanceFinished, type TaskStatus } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import {
  afterShard,
  countPhases,
  planShard,
  shardedStub,
  withSharded,
  withoutSharded,
} from '../core/compaction.ts';
import { decide, type DecideInput, type Decision } from '../core/decide.ts';
import { holdNewTasks } from '../core/status-budget.ts';
import { serializedBytes } from '../kube/cache-trim.ts';
import { keyOf } from '../kube/types.ts';
import type { Logger } from '../log.ts';
import { ownerOf, type TaskShardStore } from '../store/task-shards.ts';
import type { OwnerInstance } from '../store/task-results.ts';

export interface InstanceShardsDeps {
  store: TaskShardStore;
  /** The bound on a status (JSON bytes): new tasks wait above 75 % of it. */
  maxObjectBytes: number;
  log: Logger;
}

/** What the operator knows of one instance's shards. */
interface Known {
  uid: string;
  /** Shards 0 … loaded - 1 are in `stubs`. */
  loaded: number;
  /** Sharded task keys → what decide needs of them (see shardedStub). */
  stubs: Map<string, TaskStatus>;
}

/**
 * Keeps every instance's status bounded: runs `decide` on the status plus
 * the sharded tasks (a derived map, rebuilt from the shards after a
 * restart, read only once an instance has shards), writes the finished
 * entries that have accumulated into new shards, holds back new tasks while
 * the status is above 75 % of its bound, and counts tasks by phase. The
 * reconciler writes the status it returns; a pass that dies after writing a
 * shard finds it next time (409) and completes the status write.
 */
export class InstanceShards {
  readonly #d: InstanceShardsDeps;
  readonly #known = new Map<string, Known>();

  constructor(deps: InstanceShardsDeps) {
    this.#d = deps;
  }

  async decide(instance: DagInstance, input: DecideInput): Promise<Decision> {
    const key = keyOf(instance.metadata);
    const owner = ownerOf(instance);
    const known = await this.#load(key, owner, input.status.shards ?? 0);
    const stubs = known?.stubs ?? new Map<string, TaskStatus>();
    const decision = decide({ ...input, status: withSharded(input.status, stubs) });
    let status = withoutSharded(decision.status, stubs);
    for (let plan = planShard(status); plan; plan = planShard(status)) {
      const tasks = await this.#d.store.create(owner, plan.index, plan.tasks);
      this.#d.log.debug({ instance: key, shard: plan.index }, 'task entries moved into a shard');
      this.#add(key, owner, plan.index, tasks);
      status = afterShard(status, { index: plan.index, tasks });
    }
    // The rest of the object: metadata (with managedFields, which grow with the entries, even
    // when the cache left them out) and spec.
    const besides = serializedBytes({ ...instance, status: {} });
    const held = holdNewTasks(
      status,
      input.status.tasks,
      decision.assigned,
      this.#d.maxObjectBytes,
      besides,
    );
    if (held.held > 0) {
      this.#d.log.debug(
        { instance: key, held: held.held },
        'status near its bound: new tasks wait',
      );
    }
    const all = this.#known.get(key)?.stubs ?? stubs;
    const counts = countPhases(input.graph.order, held.status.tasks ?? {}, all);
    if (instanceFinished(decision.status.phase)) this.forget(key);
    return { ...decision, status: { ...held.status, counts }, assigned: held.assigned };
  }

  /** Drops what is known of an instance (it finished or is gone); its shards are read again if needed. */
  forget(key: string): void {
    this.#known.delete(key);
  }

  /** The sharded tasks of the instance, reading the shards this process has not seen yet. */
  async #load(key: string, owner: OwnerInstance, shards: number): Promise<Known | undefined> {
    let known = this.#known.get(key);
    if (known?.uid !== owner.uid) known = undefined;
    if (shards === 0 && known === undefined) return undefined;
    known ??= { uid: owner.uid, loaded: 0, stubs: new Map() };
    this.#known.set(key, known);
    if (known.loaded >= shards) return known;
    const read = await this.#d.store.readAll(owner, { shards }, known.loaded);
    read.forEach((tasks, i) => this.#add(key, owner, known.loaded + i, tasks));
    return known;
  }

  #add(key: string, owner: OwnerInstance, index: number, tasks: Record<string, TaskStatus>): void {
    let known = this.#known.get(key);
    if (known?.uid !== owner.uid) known = { uid: owner.uid, loaded: 0, stubs: new Map() };
    this.#known.set(key, known);
    for (const [task, entry] of Object.entries(tasks))
      known.stubs.set(task, shardedStub(entry, task));
    known.loaded = Math.max(known.loaded, index + 1);
  }
}
