import { setTimeout as sleep } from 'node:timers/promises';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { silentLogger, type Logger } from '../log.ts';
import { isGone, kubeErrorFromStatus, toKubeError } from './errors.ts';
import { keyOfRaw, objectKey, resourceVersionOf, type KubeObject } from './types.ts';

export type InformerEvent<T> = {
  type: 'add' | 'update' | 'delete' | 'resync';
  key: string;
  obj: T;
  /** The cached object an update replaces. */
  old?: T;
};

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
  list: (o: ListOptions) => Promise<ListPage<T>>;
  labelSelector?: string;
  fieldSelector?: string;
  /** Emit 'resync' for every cached object this often. Default: never. */
  resyncMs?: number;
  /** LIST page size. Default 500. */
  pageSize?: number;
  /**
   * Checks a watched object (e.g. a zod parse) before it enters the cache; a
   * throw drops the event with an error log. Without it, watch objects are
   * trusted to be `T` (LIST items are typed by `list`).
   */
  parse?: (raw: unknown) => T;
  logger?: Logger;
};

const BACKOFF_BASE_MS = 200;
const BACKOFF_MAX_MS = 30_000;
// client-node's Watch ends every watch that has been quiet for 30 s; a watch
// that was open at least this long was working and reconnects at once.
const HEALTHY_WATCH_MS = 1_000;
const DEFAULT_PAGE_SIZE = 500;

/**
 * A LIST+WATCH cache of one collection, replacing client-node's makeInformer
 * (client-node.md §5/§6): paginated LIST, watch with bookmarks from its
 * resourceVersion, relist on 410 Gone, reconnect forever with jittered
 * backoff, a synced signal, optional resync, and handlers that cannot crash
 * the process. Objects handed out are the cached ones: clone before mutating.
 */
export class Informer<T extends KubeObject> {
  readonly #watch: Watch;
  readonly #opts: InformerOptions<T>;
  readonly #log: Logger;
  readonly #cache = new Map<string, T>();
  readonly #handlers: Array<(ev: InformerEvent<T>) => void> = [];
  readonly #stop = new AbortController();
  readonly #synced: Promise<void>;
  #resolveSynced: () => void = () => {};
  #rejectSynced: (e: Error) => void = () => {};
  #hasSynced = false;
  #started = false;
  #rv: string | undefined;
  #failures = 0;
  #endWatch: (() => void) | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;

  constructor(kc: KubeConfig, opts: InformerOptions<T>) {
    this.#watch = new Watch(kc);
    this.#opts = opts;
    this.#log = (opts.logger ?? silentLogger()).child({ watchPath: opts.path });
    this.#synced = new Promise<void>((resolve, reject) => {
      this.#resolveSynced = resolve;
      this.#rejectSynced = reject;
    });
    // Rejected on stop before sync; nobody may be waiting then.
    this.#synced.catch(() => {});
  }

  /** Registers a handler; register before `start()` to see the initial adds. */
  onEvent(handler: (ev: InformerEvent<T>) => void): void {
    this.#handlers.push(handler);
  }

  start(): void {
    if (this.#started) throw new Error(`informer ${this.#opts.path} already started`);
    this.#started = true;
    void this.#run();
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
    return [...this.#cache.values()];
  }

  /** Ends the watch for good: no reconnect follows the abort it causes. */
  stop(): void {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    this.#endWatch?.();
    clearInterval(this.#resyncTimer);
    this.#rejectSynced(new Error(`informer ${this.#opts.path} stopped before it synced`));
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
        if (!this.#stopped) healthy = await this.#watchOnce();
      } catch (e) {
        if (!this.#stopped) this.#logFailure('list failed', e);
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
    const fresh = new Map<string, T>();
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
      for (const item of page.items) {
        const key = objectKey(item);
        if (key) fresh.set(key, item);
      }
      rv = page.metadata?.resourceVersion;
      cont = page.metadata?._continue || page.metadata?.continue || undefined;
    } while (cont);
    for (const [key, old] of this.#cache) {
      if (!fresh.has(key)) {
        this.#cache.delete(key);
        this.#emit({ type: 'delete', key, obj: old });
      }
    }
    for (const obj of fresh.values()) this.#upsert(obj);
    this.#rv = rv;
    this.#log.debug({ objects: fresh.size, resourceVersion: rv }, 'listed');
    if (!this.#hasSynced) {
      this.#hasSynced = true;
      this.#resolveSynced();
    }
  }

  /** One watch from #rv until it ends; resolves whether it was healthy. */
  async #watchOnce(): Promise<boolean> {
    const openedAt = performance.now();
    let connected = false;
    let gotEvent = false;
    const err = await new Promise<unknown>((resolve) => {
      let finished = false;
      let controller: AbortController | undefined;
      const finish = (e: unknown): void => {
        if (finished) return;
        finished = true;
        this.#endWatch = undefined;
        controller?.abort();
        resolve(e);
      };
      this.#endWatch = () => finish(null);
      const onEvent = (type: string, raw: unknown): void => {
        if (finished) return;
        try {
          const error = this.#onWatchEvent(type, raw);
          if (error) finish(error);
          else gotEvent = true;
        } catch (e) {
          // Watch swallows callback exceptions silently (#856): log them here.
          this.#log.error({ err: e }, 'watch event handling failed');
        }
      };
      const query = {
        resourceVersion: this.#rv,
        allowWatchBookmarks: true,
        labelSelector: this.#opts.labelSelector,
        fieldSelector: this.#opts.fieldSelector,
      };
      // The promise settles once the response headers are in (or on failure,
      // after `done` was called); auth errors reject without calling `done`.
      this.#watch
        .watch(this.#opts.path, query, onEvent, (e) => finish(e ?? null))
        .then((ac) => {
          controller = ac;
          if (finished) ac.abort();
          else connected = true;
        }, finish);
    });
    if (this.#stopped) return true;
    if (isGone(err)) {
      this.#rv = undefined;
      this.#log.info('resourceVersion expired (410); relisting');
    } else if (err && !isTimeout(err)) {
      this.#logFailure('watch failed', err);
    }
    return gotEvent || (connected && performance.now() - openedAt >= HEALTHY_WATCH_MS);
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
      if (obj) this.#upsert(obj);
      return;
    }
    // A deleted object leaves the cache even if it no longer parses.
    const key = keyOfRaw(raw);
    const last = obj ?? (key === undefined ? undefined : this.#cache.get(key));
    if (key === undefined || !last) return;
    this.#cache.delete(key);
    this.#emit({ type: 'delete', key, obj: last });
  }

  #parse(raw: unknown): T | undefined {
    const { parse } = this.#opts;
    if (!parse) return raw as T; // trusted: see InformerOptions.parse
    try {
      return parse(raw);
    } catch (e) {
      this.#log.error({ err: e, key: keyOfRaw(raw) }, 'watched object does not parse; ignored');
      return undefined;
    }
  }

  #upsert(obj: T): void {
    const key = objectKey(obj);
    if (key === undefined) return;
    const old = this.#cache.get(key);
    this.#cache.set(key, obj);
    if (!old) this.#emit({ type: 'add', key, obj });
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
      this.#emit({ type: 'update', key, obj, old });
    }
  }

  #resync(): void {
    if (!this.#hasSynced || this.#stopped) return;
    for (const [key, obj] of this.#cache) this.#emit({ type: 'resync', key, obj });
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

  #logFailure(msg: string, e: unknown): void {
    this.#log.warn({ err: toKubeError(e), failures: this.#failures + 1 }, `${msg}; retrying`);
  }
}

/** Exponential from 200 ms to 30 s, with "equal jitter" so replicas spread out. */
function backoffMs(failures: number): number {
  const d = Math.min(BACKOFF_BASE_MS * 2 ** (failures - 1), BACKOFF_MAX_MS);
  return d / 2 + Math.random() * (d / 2);
}

function isTimeout(e: unknown): boolean {
  return e instanceof Error && e.name === 'TimeoutError';
}
