/**
 * One watch of DagInstances per namespace, shared by every browser session
 * looking at that namespace (the instance list and each instance page): the
 * API server sees one watch however many tabs are open. The informer starts
 * with the first subscriber and stops with the last.
 */
import type { DagInstance } from '../api/objects.ts';
import type { KubeClients } from '../kube/client.ts';
import { instanceInformer } from '../kube/custom-informers.ts';
import type { Informer } from '../kube/informer.ts';
import type { Logger } from '../log.ts';

/** Told an instance of the namespace changed: its name. */
export type Listener = (changed: string) => void;

export type Subscription = { informer: Informer<DagInstance>; unsubscribe: () => void };

type Watched = { informer: Informer<DagInstance>; listeners: Set<Listener> };

export class WatchHub {
  readonly #clients: KubeClients;
  readonly #log: Logger;
  readonly #watched = new Map<string, Watched>();

  constructor(clients: KubeClients, log: Logger) {
    this.#clients = clients;
    this.#log = log;
  }

  /** Subscribes to `namespace`; resolves once its instances are listed. */
  async subscribe(namespace: string, listener: Listener): Promise<Subscription> {
    let w = this.#watched.get(namespace);
    if (!w) {
      const informer = instanceInformer(this.#clients, { namespace, logger: this.#log });
      const created: Watched = { informer, listeners: new Set() };
      informer.onEvent((ev) => {
        for (const l of created.listeners) l(ev.obj.metadata.name);
      });
      informer.start();
      w = created;
      this.#watched.set(namespace, w);
    }
    w.listeners.add(listener);
    const watched = w;
    const unsubscribe = (): void => {
      watched.listeners.delete(listener);
      if (watched.listeners.size > 0 || this.#watched.get(namespace) !== watched) return;
      this.#watched.delete(namespace);
      watched.informer.stop();
    };
    try {
      await watched.informer.synced();
    } catch (e) {
      unsubscribe();
      throw e;
    }
    return { informer: watched.informer, unsubscribe };
  }

  /** Namespaces watched now, and by how many sessions (for tests and /healthz). */
  watching(): Record<string, number> {
    return Object.fromEntries([...this.#watched].map(([ns, w]) => [ns, w.listeners.size]));
  }

  stop(): void {
    for (const w of this.#watched.values()) w.informer.stop();
    this.#watched.clear();
  }
}
