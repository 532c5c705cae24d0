import type { ActionSchemaSet } from '../api/action-schemas.ts';
import { mergeAdvertised } from '../core/params-check.ts';
import type { Logger } from '../log.ts';
import type { ActionSchemaStore } from '../store/action-schemas.ts';
import type { LiveWorker } from './worker-registry.ts';

/**
 * The action schemas the live workers advertise, as one set, for checking
 * Dags (core/params-check.ts). Refreshed when workers come and go; when the
 * set changes, every Dag is looked at again.
 */
export class ActionSchemaCatalog {
  readonly #store: ActionSchemaStore;
  readonly #namespace: string;
  readonly #live: () => LiveWorker[];
  readonly #changed: () => void;
  readonly #log: Logger;
  #current: ActionSchemaSet = {};
  #refreshing: Promise<void> = Promise.resolve();

  constructor(opts: {
    store: ActionSchemaStore;
    /** Where the workers' Leases, and so their schemas, live. */
    namespace: string;
    live: () => LiveWorker[];
    changed: () => void;
    log: Logger;
  }) {
    this.#store = opts.store;
    this.#namespace = opts.namespace;
    this.#live = opts.live;
    this.#changed = opts.changed;
    this.#log = opts.log;
  }

  current(): ActionSchemaSet {
    return this.#current;
  }

  /** Reads the schemas of the live workers again (one refresh at a time, in order). */
  refresh(): Promise<void> {
    this.#refreshing = this.#refreshing.then(() => this.#refresh());
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    const names = [...new Set(this.#live().flatMap((w) => (w.schemas ? [w.schemas] : [])))];
    const sets: ActionSchemaSet[] = [];
    for (const name of names.sort()) {
      try {
        const set = await this.#store.read(this.#namespace, name);
        if (set) sets.push(set);
        else this.#log.warn({ configMap: name }, 'action schemas missing or not as named: ignored');
      } catch (e) {
        this.#log.warn(
          { configMap: name, err: (e as Error).message },
          'cannot read action schemas',
        );
      }
    }
    const next = mergeAdvertised(sets);
    if (JSON.stringify(next) === JSON.stringify(this.#current)) return;
    this.#current = next;
    this.#changed();
  }
}
