import { setTimeout as sleep } from 'node:timers/promises';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { silentLogger, type Logger } from '../log.ts';
import { isGone, kubeErrorFromStatus, toKubeError } from './errors.ts';
import { trimForCache } from './cache-trim.ts';
import { InformerCache, type InformerHandler } from './informer-cache.ts';
import { backoffMs, isTimeout, watchOnce } from './informer-watch.ts';
import { keyOfRaw, resourceVersionOf, type KubeObject } from './types.ts';

export type { InformerEvent } from './informer-cache.ts';

export type ListOptions = {
  limit: number;
  _continue?: string;
  labelSelector?: string;
  fieldSelector?: string;
};

export type ListPage<T> = {
  items: T[];
  metadata?: { resourceVersion?: string; _continue?: string; continue?: string };
};

export type InformerOptions<T> = {
  /** Collection URL path, e.g. `/apis/fastflow.io/v1alpha1/daginstances`. */
  path: string;
  /** One page of the same collection; pass `o` through to the client's list call. */
  list: (o: ListOptions) => Promise<ListPage<unknown>>;
  labelSelector?: string;
  fieldSelector?: string;
  /** Emit 'resync' for every cached object this often. Default: never. */
  resyncMs?: number;
  /** LIST page size. Default 500. */
  pageSize?: number;
  /**
   * Checks every object, listed or watched, before it enters the cache (e.g.
   * a zod parse, so handlers get typed objects): one that throws is logged
   * and left out. Without it, objects are trusted to be `T`. `previous` is
   * the cached object of the same key, for a parse that reuses its parts.
   */
  parse?: (raw: unknown, previous: T | undefined) => T;
  logger?: Logger;
  /**
   * Whether the API server can be seen: false when a LIST or a watch fails
   * (no answer, or an error answer), true again once a LIST succeeds or a
   * watch is open. Called on changes only, the first true included.
   */
  onSight?: (seeing: boolean) => void;
};

const DEFAULT_PAGE_SIZE = 500;

/**
 * A LIST+WATCH cache of one collection, replacing client-node's makeInformer
 * (client-node.md §5/§6): paginated LIST, watch with bookmarks from its
 * resourceVersion, relist on 410 Gone, reconnect forever with jittered
 * backoff, a synced signal, optional resync, and handlers that cannot crash
 * the process. Objects handed out are the cached ones: clone before mutating.
 * They come without metadata.managedFields and kubectl's last-applied
 * annotation (cache-trim.ts: what fastflow never reads, but memory would hold
 * once per object); `serializedBytes` still counts them.
 */
export class Informer<T extends KubeObject> {
  readonly #watch: Watch;
  readonly #opts: InformerOptions<T>;
  readonly #log: Logger;
  readonly #cache: InformerCache<T>;
  readonly #stop = new AbortController();
  readonly #synced: Promise<void>;
  #resolveSynced: () => void = () => {};
  #rejectSynced: (e: Error) => void = () => {};
  #hasSynced = false;
  #started = false;
  #rv: string | undefined;
  #failures = 0;
  #seeing: boolean | undefined;
  #endWatch: (() => void) | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;
  #loop: Promise<void> = Promise.resolve();

  constructor(kc: KubeConfig, opts: InformerOptions<T>) {
    this.#watch = new Watch(kc);
    this.#opts = opts;
    this.#log = (opts.logger ?? silentLogger()).child({ watchPath: opts.path });
    this.#cache = new InformerCache<T>(this.#log);
    this.#synced = new Promise<void>((resolve, reject) => {
      this.#resolveSynced = resolve;
      this.#rejectSynced = reject;
    });
    // Rejected on stop before sync; nobody may be waiting then.
    this.#synced.catch(() => {});
  }

  /** Registers a handler; register before `start()` to see the initial adds. */
  onEvent(handler: InformerHandler<T>): void {
    this.#cache.onEvent(handler);
  }

  start(): void {
    if (this.#started) throw new Error(`informer ${this.#opts.path} already started`);
    this.#started = true;
    this.#loop = this.#run();
    if (this.#opts.resyncMs) {
      this.#resyncTimer = setInterval(() => this.#resync(), this.#opts.resyncMs);
      this.#resyncTimer.unref();
    }
  }

  /** Resolves after the first complete LIST; rejects if stopped before. */
  synced(): Promise<void> {
    return this.#synced;
  }

  hasSynced(): boolean {
    return this.#hasSynced;
  }

  get(key: string): T | undefined {
    return this.#cache.get(key);
  }

  list(): T[] {
    return this.#cache.list();
  }

  /** The keys (`namespace/name`) of the cached objects. */
  keys(): string[] {
    return this.#cache.keys();
  }

  /** Ends the watch for good: no reconnect follows the abort it causes. */
  stop(): void {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    this.#endWatch?.();
    clearInterval(this.#resyncTimer);
    this.#rejectSynced(new Error(`informer ${this.#opts.path} stopped before it synced`));
  }

  /** Resolves once the LIST/WATCH loop has ended after `stop()`: no request follows. */
  whenStopped(): Promise<void> {
    return this.#loop;
  }

  get #stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  // Never rejects: every failure becomes a logged, backed-off retry.
  async #run(): Promise<void> {
    while (!this.#stopped) {
      let healthy = false;
      try {
        if (this.#rv === undefined) await this.#relist();
        if (!this.#stopped) healthy = await this.#watchUntilEnd();
      } catch (e) {
        if (!this.#stopped) {
          this.#logFailure('list failed', e);
          this.#sight(false);
        }
      }
      if (this.#stopped) return;
      this.#failures = healthy ? 0 : this.#failures + 1;
      if (this.#failures > 0) {
        await sleep(backoffMs(this.#failures), undefined, { signal: this.#stop.signal }).catch(
          () => {},
        );
      }
    }
  }

  async #relist(): Promise<void> {
    const fresh: T[] = [];
    let cont: string | undefined;
    let rv: string | undefined;
    do {
      const page = await this.#opts.list({
        limit: this.#opts.pageSize ?? DEFAULT_PAGE_SIZE,
        _continue: cont,
        labelSelector: this.#opts.labelSelector,
        fieldSelector: this.#opts.fieldSelector,
      });
      if (this.#stopped) return;
      for (const raw of page.items) {
        const obj = this.#parse(raw);
        if (obj) fresh.push(obj);
      }
      rv = page.metadata?.resourceVersion;
      cont = page.metadata?._continue || page.metadata?.continue || undefined;
    } while (cont);
    this.#cache.replace(fresh);
    this.#rv = rv;
    this.#sight(true);
    this.#log.debug({ objects: fresh.length, resourceVersion: rv }, 'listed');
    if (!this.#hasSynced) {
      this.#hasSynced = true;
      this.#resolveSynced();
    }
  }

  /** One watch from #rv until it ends; resolves whether it was healthy. */
  async #watchUntilEnd(): Promise<boolean> {
    const query = {
      resourceVersion: this.#rv,
      allowWatchBookmarks: true as const,
      labelSelector: this.#opts.labelSelector,
      fieldSelector: this.#opts.fieldSelector,
    };
    const onEvent = (type: string, raw: unknown): Error | undefined =>
      this.#onWatchEvent(type, raw);
    const { ended, end } = watchOnce(this.#watch, this.#opts.path, query, onEvent, this.#log, () =>
      this.#sight(true),
    );
    this.#endWatch = end;
    const { err, healthy } = await ended;
    this.#endWatch = undefined;
    if (this.#stopped) return true;
    if (isGone(err)) {
      this.#rv = undefined;
      this.#log.info('resourceVersion expired (410); relisting');
    } else if (err && !isTimeout(err)) {
      this.#logFailure('watch failed', err);
      this.#sight(false);
    }
    return healthy;
  }

  #sight(seeing: boolean): void {
    if (this.#seeing === seeing) return;
    this.#seeing = seeing;
    this.#opts.onSight?.(seeing);
  }

  /** Applies one watch event; returns the error that should end the watch, if any. */
  #onWatchEvent(type: string, raw: unknown): Error | undefined {
    switch (type) {
      case 'BOOKMARK':
        this.#rv = resourceVersionOf(raw) ?? this.#rv;
        return undefined;
      case 'ERROR':
        return kubeErrorFromStatus(raw);
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED':
        this.#applyChange(type, raw);
        this.#rv = resourceVersionOf(raw) ?? this.#rv;
        return undefined;
      default:
        this.#log.warn({ type }, 'unknown watch event type ignored');
        return undefined;
    }
  }

  #applyChange(type: 'ADDED' | 'MODIFIED' | 'DELETED', raw: unknown): void {
    const obj = this.#parse(raw);
    if (type !== 'DELETED') {
      if (obj) this.#cache.upsert(obj);
      return;
    }
    // A deleted object leaves the cache even if it no longer parses.
    const key = keyOfRaw(raw);
    if (key !== undefined) this.#cache.delete(key, obj);
  }

  #parse(raw: unknown): T | undefined {
    // Without `parse`, objects are trusted: see InformerOptions.parse.
    const given = this.#opts.parse;
    const key = given ? keyOfRaw(raw) : undefined;
    const previous = key === undefined ? undefined : this.#cache.get(key);
    const parse = given ? (r: unknown) => given(r, previous) : (r: unknown) => r as T;
    try {
      return trimForCache(raw, parse);
    } catch (e) {
      this.#log.error({ err: e, key: keyOfRaw(raw) }, 'object does not parse; ignored');
      return undefined;
    }
  }

  #resync(): void {
    if (this.#hasSynced && !this.#stopped) this.#cache.resync();
  }

  #logFailure(msg: string, e: unknown): void {
    this.#log.warn({ err: toKubeError(e), failures: this.#failures + 1 }, `${msg}; retrying`);
  }
}
