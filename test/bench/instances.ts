/**
 * Creating Dags and DagInstances and following the instances of the bench
 * namespace through one LIST+WATCH (like `kubectl get dagi -w`: one more
 * watcher, which the API server pays for on every status write, as it does
 * for the operator's).
 */
import { Watch, type CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { instanceFinished, type TaskStatus } from '../../operator/api/dag-instance.ts';
import {
  API_VERSION,
  GROUP,
  VERSION,
  dagResource,
  instanceResource,
} from '../../operator/api/names.ts';
import { makeClients } from '../../operator/kube/client.ts';
import { TaskShardStore } from '../../operator/store/task-shards.ts';
import type { BenchDagSpec } from './dags.ts';

/**
 * A task entry as read from the API: the operator's TaskStatus, derived so a
 * field added there is here too (a hand copy once missed `voided`); partial
 * because a bench reader tolerates entries it did not write.
 */
export type TaskState = Partial<TaskStatus>;

export type InstanceObject = {
  metadata: {
    name: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
  status?: {
    phase?: string;
    /** TaskShards holding the finished entries moved out of `tasks`. */
    shards?: number;
    progress?: string;
    message?: string;
    startTime?: string;
    finishTime?: string;
    tasks?: Record<string, TaskState>;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
};

export function isTerminal(i: InstanceObject | undefined): boolean {
  return instanceFinished(i?.status?.phase);
}

/**
 * What counts as progress of an instance: its phase and each task's phase and
 * attempt. Labels, conditions and timestamps are left out, so an instance
 * whose status is rewritten without moving (a write loop) shows no progress.
 */
export function progressKey(i: InstanceObject): string {
  const tasks = Object.entries(i.status?.tasks ?? {})
    .map(([id, t]) => `${id}:${t.phase ?? ''}:${t.attempt ?? 1}`)
    .sort();
  return `${i.status?.phase ?? ''}|${tasks.join(',')}`;
}

/** One line about an instance's state, for error messages. */
export function describeInstance(i: InstanceObject | undefined): string {
  if (i === undefined) return 'not seen yet';
  const s = i.status;
  if (s === undefined) return 'no status (the operator has not written it)';
  const byPhase = new Map<string, number>();
  for (const t of Object.values(s.tasks ?? {})) {
    byPhase.set(t.phase ?? '?', (byPhase.get(t.phase ?? '?') ?? 0) + 1);
  }
  const tasks = [...byPhase].map(([p, n]) => `${p} ${n}`).join(', ') || 'none in status';
  const cond = s.conditions?.find((c) => c.type === 'Succeeded');
  const failed = Object.entries(s.tasks ?? {})
    .filter(([, t]) => t.phase === 'Failed')
    .slice(0, 3)
    .map(([id, t]) => `${id}: ${t.reason ?? ''} ${t.message ?? ''}`.trim());
  return [
    `phase ${s.phase ?? '(none)'}`,
    `progress ${s.progress ?? '?'}`,
    `tasks: ${tasks}`,
    ...(cond ? [`condition ${cond.status}/${cond.reason ?? ''}: ${cond.message ?? ''}`] : []),
    ...(s.message ? [`message: ${s.message}`] : []),
    ...(failed.length > 0 ? [`failed tasks: ${failed.join('; ')}`] : []),
  ].join('; ');
}

export class BenchApi {
  readonly custom: CustomObjectsApi;
  readonly namespace: string;

  constructor(kc: KubeConfig, namespace: string) {
    // The product's pooled keep-alive transport: a create does not pay a TLS handshake.
    this.custom = makeClients(kc, { userAgent: 'fastflow-bench' }).custom;
    this.namespace = namespace;
  }

  /** The instance with every task's entry, those moved into TaskShards included: hops read all. */
  async whole(i: InstanceObject): Promise<InstanceObject> {
    if (!i.status?.shards) return i;
    const owner = { namespace: this.namespace, name: i.metadata.name, uid: i.metadata.uid ?? '' };
    const parts = await new TaskShardStore(this.custom).readAll(owner, { shards: i.status.shards });
    const tasks = Object.assign({}, ...parts, i.status.tasks) as Record<string, TaskState>;
    return { ...i, status: { ...i.status, tasks } };
  }

  /** The bench's Dags and instances: in its namespace. */
  get #dags() {
    return { ...dagResource, namespace: this.namespace };
  }
  get #instances() {
    return { ...instanceResource, namespace: this.namespace };
  }

  async createDag(name: string, spec: BenchDagSpec): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      ...this.#dags,
      body: { apiVersion: API_VERSION, kind: 'Dag', metadata: { name }, spec },
    });
  }

  async getDagStatus(name: string): Promise<{ valid?: boolean; message?: string } | undefined> {
    const dag = (await this.custom.getNamespacedCustomObject({ ...this.#dags, name })) as {
      status?: { valid?: boolean; message?: string };
    };
    return dag.status;
  }

  async createInstance(name: string, dag: string): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      ...this.#instances,
      body: {
        apiVersion: API_VERSION,
        kind: 'DagInstance',
        metadata: { name },
        spec: { dagRef: { name: dag } },
      },
    });
  }

  async getInstance(name: string): Promise<InstanceObject> {
    return (await this.custom.getNamespacedCustomObject({
      ...this.#instances,
      name,
    })) as InstanceObject;
  }

  async listInstances(): Promise<{ items: InstanceObject[]; resourceVersion: string }> {
    const list = (await this.custom.listNamespacedCustomObject(this.#instances)) as {
      items: InstanceObject[];
      metadata?: { resourceVersion?: string };
    };
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }
}

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
