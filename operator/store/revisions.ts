import { createHash } from 'node:crypto';
import type { AppsV1Api, V1ControllerRevision } from '@kubernetes/client-node';
import type { DagSpec } from '../api/dag.ts';
import { DAG_NAME_LABEL } from '../api/names.ts';
import { DagSnapshot, describeZodError } from '../api/objects.ts';
import { BoundedMap } from '../core/bounded-map.ts';
import { buildGraph, type DagGraph } from '../core/graph.ts';
import { isAlreadyExists, isConflict, isNotFound, kubeCall } from '../kube/errors.ts';
import { keyOf, type ObjectRef } from '../kube/types.ts';
import { boundedName, subjectMetadata } from './labels.ts';

/** A Dag snapshot ready to run: the spec and its graph. */
export interface LoadedSnapshot {
  readonly revision: string;
  readonly snapshot: DagSnapshot;
  readonly graph: DagGraph;
}

/** The Dag snapshot an instance runs was deleted. */
export class RevisionMissingError extends Error {}
/** The Dag snapshot an instance runs exists, but is not one this operator can run. */
export class RevisionInvalidError extends Error {}

const CACHE_LIMIT = 1000;

/**
 * The immutable Dag snapshots instances run, kept in apps/v1
 * ControllerRevisions (the kind Kubernetes made for immutable copies of a
 * spec). The name is the Dag's name plus a hash of its spec, so every instance
 * started from the same spec shares one object, creating it twice is harmless,
 * and a cached copy never goes stale.
 */
export class RevisionStore {
  readonly #apps: AppsV1Api;
  readonly #now: () => number;
  readonly #cache = new BoundedMap<string, LoadedSnapshot>({ maxEntries: CACHE_LIMIT });
  /** When `ensure` last handed out each snapshot, by key. */
  readonly #lastUsed = new Map<string, number>();
  /** Deletions in flight, by key: `ensure` waits for them, then creates again. */
  readonly #deleting = new Map<string, Promise<void>>();
  /** Loads under way: the attempts of a fan-out that land together on a new worker read once. */
  readonly #loading = new Map<string, Promise<LoadedSnapshot>>();

  constructor(apps: AppsV1Api, now: () => number = Date.now) {
    this.#apps = apps;
    this.#now = now;
  }

  static nameFor(dagName: string, spec: DagSpec): string {
    const hash = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 10);
    return boundedName(dagName, `-${hash}`);
  }

  /** Makes sure the snapshot of this Dag spec exists; returns it. */
  async ensure(dag: ObjectRef, generation: number, spec: DagSpec): Promise<LoadedSnapshot> {
    const name = RevisionStore.nameFor(dag.name, spec);
    const key = keyOf({ namespace: dag.namespace, name });
    // Marked before any await: a collection deciding after this sees it used.
    this.#lastUsed.set(key, this.#now());
    const deleting = this.#deleting.get(key);
    if (deleting) await deleting.catch(() => undefined);
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const snapshot: DagSnapshot = { dag: dag.name, generation, spec };
    const body: V1ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: dag.namespace,
        ...subjectMetadata({ [DAG_NAME_LABEL]: dag.name }),
      },
      data: snapshot,
      revision: generation,
    };
    try {
      await kubeCall(() =>
        this.#apps.createNamespacedControllerRevision({ namespace: dag.namespace, body }),
      );
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    return this.#remember(dag.namespace, name, snapshot);
  }

  /** When this process last handed out the snapshot with `ensure` (ms), if it did. */
  lastUsed(namespace: string, name: string): number | undefined {
    return this.#lastUsed.get(keyOf({ namespace, name }));
  }

  /**
   * Deletes a snapshot no instance references, unless `ensure` handed it out
   * after `unusedSince` (an instance starting now may be about to record it).
   * While the deletion is in flight, `ensure` of the same spec waits for it and
   * creates the snapshot again, so no instance ever records one that is gone.
   * The uid precondition spares a snapshot created again meanwhile.
   * Returns whether it was deleted.
   */
  async delete(ref: ObjectRef, uid: string, unusedSince: number): Promise<boolean> {
    const key = keyOf(ref);
    if ((this.#lastUsed.get(key) ?? -Infinity) > unusedSince || this.#deleting.has(key)) {
      return false;
    }
    this.#cache.delete(key);
    const deletion = kubeCall(() =>
      this.#apps.deleteNamespacedControllerRevision({ ...ref, body: { preconditions: { uid } } }),
    ).then(() => undefined);
    this.#deleting.set(key, deletion);
    try {
      await deletion;
      // Unless an `ensure` came meanwhile (it creates the snapshot again).
      if ((this.#lastUsed.get(key) ?? -Infinity) <= unusedSince) this.#lastUsed.delete(key);
      return true;
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return false;
      throw err;
    } finally {
      this.#deleting.delete(key);
    }
  }

  /**
   * The snapshot an instance runs: RevisionMissingError when it was deleted,
   * RevisionInvalidError when it cannot be read as a Dag snapshot.
   */
  async load(namespace: string, name: string): Promise<LoadedSnapshot> {
    const key = keyOf({ namespace, name });
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const loading = this.#loading.get(key) ?? this.#read(namespace, name);
    this.#loading.set(key, loading);
    try {
      return await loading;
    } finally {
      this.#loading.delete(key);
    }
  }

  async #read(namespace: string, name: string): Promise<LoadedSnapshot> {
    let raw: V1ControllerRevision;
    try {
      raw = await kubeCall(() => this.#apps.readNamespacedControllerRevision({ namespace, name }));
    } catch (err) {
      if (isNotFound(err)) {
        throw new RevisionMissingError(`Dag snapshot ${namespace}/${name} no longer exists`);
      }
      throw err;
    }
    const parsed = DagSnapshot.safeParse(raw.data);
    if (!parsed.success) {
      throw new RevisionInvalidError(
        `Dag snapshot ${namespace}/${name} is unreadable: ${describeZodError(parsed.error)}`,
      );
    }
    return this.#remember(namespace, name, parsed.data);
  }

  #remember(namespace: string, name: string, snapshot: DagSnapshot): LoadedSnapshot {
    // Only the graph: a snapshot was fully validated when taken, and a later
    // release's stricter checks must not fail instances already running on it.
    const built = buildGraph(snapshot.spec.tasks);
    if (!built.ok) {
      const detail = built.problems.map((p) => p.message).join('; ');
      throw new RevisionInvalidError(`Dag snapshot ${namespace}/${name} is invalid: ${detail}`);
    }
    const loaded: LoadedSnapshot = { revision: name, snapshot, graph: built.graph };
    this.#cache.set(keyOf({ namespace, name }), loaded);
    return loaded;
  }
}
