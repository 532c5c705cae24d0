import { createHash } from 'node:crypto';
import type { AppsV1Api, V1ControllerRevision } from '@kubernetes/client-node';
import type { DagSpec } from '../api/dag.ts';
import { DAG_NAME_LABEL } from '../api/names.ts';
import { DagSnapshot, describeZodError } from '../api/objects.ts';
import { buildGraph, type DagGraph } from '../core/graph.ts';
import { isAlreadyExists, isNotFound, toKubeError } from '../kube/errors.ts';
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
  readonly #cache = new Map<string, LoadedSnapshot>();

  constructor(apps: AppsV1Api) {
    this.#apps = apps;
  }

  static nameFor(dagName: string, spec: DagSpec): string {
    const hash = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 10);
    return boundedName(dagName, `-${hash}`);
  }

  /** Makes sure the snapshot of this Dag spec exists; returns it. */
  async ensure(dag: ObjectRef, generation: number, spec: DagSpec): Promise<LoadedSnapshot> {
    const name = RevisionStore.nameFor(dag.name, spec);
    const cached = this.#cache.get(keyOf({ namespace: dag.namespace, name }));
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
      await this.#apps.createNamespacedControllerRevision({ namespace: dag.namespace, body });
    } catch (e) {
      const err = toKubeError(e);
      if (!isAlreadyExists(err)) throw err;
    }
    return this.#remember(dag.namespace, name, snapshot);
  }

  /**
   * The snapshot an instance runs: RevisionMissingError when it was deleted,
   * RevisionInvalidError when it cannot be read as a Dag snapshot.
   */
  async load(namespace: string, name: string): Promise<LoadedSnapshot> {
    const cached = this.#cache.get(keyOf({ namespace, name }));
    if (cached) return cached;
    let raw: V1ControllerRevision;
    try {
      raw = await this.#apps.readNamespacedControllerRevision({ namespace, name });
    } catch (e) {
      const err = toKubeError(e);
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
    if (this.#cache.size >= CACHE_LIMIT) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(keyOf({ namespace, name }), loaded);
    return loaded;
  }
}
