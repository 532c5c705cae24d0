import type { Logger } from '../log.ts';
import { objectKey, type KubeObject } from './types.ts';

export type InformerEvent<T> = {
  type: 'add' | 'update' | 'delete' | 'resync';
  key: string;
  obj: T;
  /** The cached object an update replaces. */
  old?: T;
};

export type InformerHandler<T> = (ev: InformerEvent<T>) => void;

/**
 * The informer's cache of one collection, by `objectKey`, and the handlers
 * told of each change to it. A handler cannot crash the process: what it
 * throws, or an async handler's rejection, is logged.
 */
export class InformerCache<T extends KubeObject> {
  readonly #objects = new Map<string, T>();
  readonly #handlers: Array<InformerHandler<T>> = [];
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  onEvent(handler: InformerHandler<T>): void {
    this.#handlers.push(handler);
  }

  get(key: string): T | undefined {
    return this.#objects.get(key);
  }

  list(): T[] {
    return [...this.#objects.values()];
  }

  keys(): string[] {
    return [...this.#objects.keys()];
  }

  /** Stores `obj`: an add if new, an update if its resourceVersion changed, else nothing. */
  upsert(obj: T): void {
    const key = objectKey(obj);
    if (key === undefined) return;
    const old = this.#objects.get(key);
    this.#objects.set(key, obj);
    if (!old) this.#emit({ type: 'add', key, obj });
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
      this.#emit({ type: 'update', key, obj, old });
    }
  }

  /** Removes `key`; the delete event carries `last`, else the cached object. */
  delete(key: string, last?: T): void {
    const obj = last ?? this.#objects.get(key);
    this.#objects.delete(key);
    if (obj) this.#emit({ type: 'delete', key, obj });
  }

  /** Makes the cache hold exactly `fresh` (a complete LIST): deletes first, then upserts. */
  replace(fresh: Iterable<T>): void {
    const byKey = new Map<string, T>();
    for (const obj of fresh) {
      const key = objectKey(obj);
      if (key !== undefined) byKey.set(key, obj);
    }
    for (const key of this.keys()) if (!byKey.has(key)) this.delete(key);
    for (const obj of byKey.values()) this.upsert(obj);
  }

  /** Tells the handlers of every cached object again ('resync'). */
  resync(): void {
    for (const [key, obj] of this.#objects) this.#emit({ type: 'resync', key, obj });
  }

  #emit(ev: InformerEvent<T>): void {
    for (const handler of this.#handlers) {
      try {
        const r: unknown = handler(ev);
        // An async handler's rejection would otherwise be unhandled (fatal).
        if (r instanceof Promise) r.catch((e: unknown) => this.#handlerFailed(ev, e));
      } catch (e) {
        this.#handlerFailed(ev, e);
      }
    }
  }

  #handlerFailed(ev: InformerEvent<T>, e: unknown): void {
    this.#log.error({ err: e, key: ev.key, event: ev.type }, 'informer handler threw');
  }
}
