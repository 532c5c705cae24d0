import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import { ACTION_SCHEMAS_LABEL, ACTION_SCHEMAS_PREFIX } from '../api/action-schemas.ts';
import { isConflict, isNotFound, kubeCall } from '../kube/errors.ts';
import { monotonicNow } from '../kube/lease/observation.ts';
import type { Logger } from '../log.ts';
import type { WorkerRegistry } from './worker-registry.ts';

export interface SchemaGcDeps {
  core: CoreV1Api;
  /** The Lease namespace, where workers write their schemas. */
  namespace: string;
  registry: Pick<WorkerRegistry, 'schemasNamed'>;
  graceMs: number;
  log: Logger;
  now?: () => number;
}

/**
 * The action-schema ConfigMaps (`fastflow-actions-<hash>`, one per distinct
 * set) that no worker Lease names any more: those of worker versions long
 * gone. A worker writes its ConfigMap before the Lease that names it, so one
 * is deleted only once we have seen it unnamed for `graceMs` on our own clock
 * (a new leader starts counting anew), and only as it was when counted.
 */
export class SchemaGc {
  readonly #d: SchemaGcDeps;
  readonly #now: () => number;
  /** Unnamed ConfigMaps: the version we saw, and since when (our clock). */
  readonly #unnamed = new Map<string, { uid: string; rv: string; since: number }>();

  constructor(deps: SchemaGcDeps) {
    this.#d = deps;
    this.#now = deps.now ?? monotonicNow;
  }

  /** Deletes those unnamed for the grace period; returns how many. */
  async collect(): Promise<number> {
    const { namespace, core } = this.#d;
    const list = await kubeCall(() =>
      core.listNamespacedConfigMap({ namespace, labelSelector: ACTION_SCHEMAS_LABEL }),
    );
    // Read after the list: a Lease that names one of them by now is seen.
    const named = this.#d.registry.schemasNamed();
    // Blind to the Leases: a new one may name any of them.
    if (named === undefined) return 0;
    const now = this.#now();
    const before = new Map(this.#unnamed);
    this.#unnamed.clear();
    const due = list.items.flatMap((cm) => this.#count(cm, named, before, now));
    let deleted = 0;
    for (const name of due) if (await this.#delete(name)) deleted++;
    return deleted;
  }

  /** Notes an unnamed ConfigMap (since when, unless it changed); its name when it is due. */
  #count(
    cm: V1ConfigMap,
    named: ReadonlySet<string>,
    before: ReadonlyMap<string, { uid: string; rv: string; since: number }>,
    now: number,
  ): string[] {
    const name = cm.metadata?.name ?? '';
    if (!name.startsWith(ACTION_SCHEMAS_PREFIX) || named.has(name)) return [];
    const seen = { uid: cm.metadata?.uid ?? '', rv: cm.metadata?.resourceVersion ?? '' };
    const was = before.get(name);
    const same = was !== undefined && was.uid === seen.uid && was.rv === seen.rv;
    this.#unnamed.set(name, { ...seen, since: same ? was.since : now });
    return same && now - was.since >= this.#d.graceMs ? [name] : [];
  }

  async #delete(name: string): Promise<boolean> {
    const { uid, rv } = this.#unnamed.get(name) ?? { uid: '', rv: '' };
    try {
      await kubeCall(() =>
        this.#d.core.deleteNamespacedConfigMap({
          name,
          namespace: this.#d.namespace,
          body: { preconditions: { uid, resourceVersion: rv } },
        }),
      );
      this.#unnamed.delete(name);
      this.#d.log.info({ configMap: name }, 'deleted action schemas no worker names');
      return true;
    } catch (err) {
      // Gone already, or written again since: nothing to do.
      if (!isNotFound(err) && !isConflict(err)) {
        this.#d.log.warn({ configMap: name, err: String(err) }, 'action schemas not deleted');
      }
      return false;
    }
  }
}
