/**
 * Following the instances of the bench namespace through one LIST+WATCH
 * (like `kubectl get dagi -w`: one more watcher, which the API server pays for
 * on every status write, as it does for the operator's).
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../operator/api/names.ts';
import { progressKey, type BenchApi, type InstanceObject } from './instances.ts';

type Waiter = {
  name: string;
  done: (i: InstanceObject) => boolean;
  resolve: (i: InstanceObject) => void;
};

const RETRY_MS = 200;
/** Safety net under the watch: a direct GET of each awaited instance this often. */
const POLL_MS = 3_000;

/** The latest version of every instance in the namespace, kept by LIST+WATCH. */
export class InstanceWatch {
  readonly #api: BenchApi;
  readonly #watch: Watch;
  readonly #objects = new Map<string, InstanceObject>();
  /** performance.now() when each instance last made progress (see progressKey). */
  readonly #progress = new Map<string, { key: string; at: number }>();
  readonly #waiters = new Set<Waiter>();
  #abort: AbortController | undefined;
  #stopped = false;
  #lastChange = performance.now();
  #restarting = false;
  /** Last problem of the watch itself, for error messages. */
  lastWatchError: string | undefined;
  /** The largest version of an instance seen (statuses shrink when entries move into shards). */
  largest = { bytes: 0, what: '(none)' };

  constructor(kc: KubeConfig, api: BenchApi) {
    this.#api = api;
    this.#watch = new Watch(kc);
  }

  /** performance.now() of the last change to any instance. */
  get lastChange(): number {
    return this.#lastChange;
  }

  get(name: string): InstanceObject | undefined {
    return this.#objects.get(name);
  }

  /** performance.now() of the last progress of that instance; undefined when never seen. */
  progressAt(name: string): number | undefined {
    return this.#progress.get(name)?.at;
  }

  /** How many instances seen so far satisfy `test`. */
  count(test: (i: InstanceObject) => boolean): number {
    let n = 0;
    for (const i of this.#objects.values()) if (test(i)) n++;
    return n;
  }

  async start(): Promise<void> {
    const { items, resourceVersion } = await this.#api.listInstances();
    for (const i of items) this.#update(i);
    this.#abort = await this.#watch.watch(
      `/apis/${GROUP}/${VERSION}/namespaces/${this.#api.namespace}/daginstances`,
      { resourceVersion, allowWatchBookmarks: true },
      (type, obj: InstanceObject) => {
        if (type === 'ADDED' || type === 'MODIFIED') this.#update(obj);
        else if (type === 'ERROR') this.lastWatchError = JSON.stringify(obj).slice(0, 300);
      },
      (err: unknown) => {
        if (err !== null && err !== undefined)
          this.lastWatchError = err instanceof Error ? err.message : JSON.stringify(err);
        this.#restart();
      },
    );
  }

  #restart(): void {
    if (this.#stopped || this.#restarting) return;
    this.#restarting = true;
    setTimeout(() => {
      this.#restarting = false;
      if (this.#stopped) return;
      this.start().catch((e: unknown) => {
        this.lastWatchError = String(e);
        this.#restart();
      });
    }, RETRY_MS);
  }

  #update(obj: InstanceObject): void {
    const name = obj.metadata.name;
    const old = this.#objects.get(name);
    if (old?.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.#objects.set(name, obj);
    this.#lastChange = performance.now();
    const bytes = Buffer.byteLength(JSON.stringify(obj));
    if (bytes > this.largest.bytes) this.largest = { bytes, what: `DagInstance ${name}` };
    const key = progressKey(obj);
    if (this.#progress.get(name)?.key !== key)
      this.#progress.set(name, { key, at: this.#lastChange });
    for (const w of this.#waiters) {
      if (w.name === name && w.done(obj)) {
        this.#waiters.delete(w);
        w.resolve(obj);
      }
    }
  }

  /**
   * Resolves with the instance once `done` holds for it. Never resolves on its
   * own otherwise: callers race it with their deadlines (see `withDeadline`).
   * Also reads the instance directly now and then, in case the watch lags.
   */
  until(
    name: string,
    done: (i: InstanceObject) => boolean,
  ): { promise: Promise<InstanceObject>; cancel: () => void } {
    const current = this.#objects.get(name);
    if (current && done(current)) return { promise: Promise.resolve(current), cancel: () => {} };
    let waiter: Waiter | undefined;
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<InstanceObject>((resolve) => {
      waiter = { name, done, resolve };
      this.#waiters.add(waiter);
    });
    const active = (): boolean => waiter !== undefined && this.#waiters.has(waiter);
    const poll = (): void => {
      if (!active()) return;
      timer = setTimeout(() => {
        this.#api.getInstance(name).then(
          (i) => {
            this.#update(i);
            poll();
          },
          () => poll(),
        );
      }, POLL_MS);
    };
    poll();
    const cancel = (): void => {
      clearTimeout(timer);
      if (waiter) this.#waiters.delete(waiter);
    };
    void promise.then(cancel);
    return { promise, cancel };
  }

  stop(): void {
    this.#stopped = true;
    this.#abort?.abort();
    this.#waiters.clear();
  }
}
