/**
 * The typed client of fastflow for programs (fastflow's Commander, the
 * Kubernetes way): start instances of a Dag, read them, cancel / retry /
 * continue them and wait until the operator has acted, wait for the end, and
 * subscribe to phase transitions (the SDK side of fastflow's lifecycle hooks).
 * Everything goes through the Kubernetes API: the operator is never called
 * directly, so the client works from any process with RBAC on the objects.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { ObjectName } from '../operator/api/common.ts';
import { TaskId } from '../operator/api/dag.ts';
import {
  DagInstanceSpec,
  TERMINAL_INSTANCE_PHASES,
  type InstancePhase,
  type OperationRecord,
  type TaskPhase,
} from '../operator/api/dag-instance.ts';
import {
  API_VERSION,
  DAG_INSTANCE,
  OPERATION_ANNOTATIONS,
  type OperationName,
} from '../operator/api/names.ts';
import { Dag, DagInstance, describeZodError } from '../operator/api/objects.ts';
import { validateDag } from '../operator/core/validate-dag.ts';
import { resolveVars } from '../operator/core/vars.ts';
import { makeClients, type KubeClients } from '../operator/kube/client.ts';
import {
  isAlreadyExists,
  isConflict,
  isInvalid,
  isNotFound,
  toKubeError,
} from '../operator/kube/errors.ts';
import { Informer, type ListPage } from '../operator/kube/informer.ts';
import { mergePatchOptions } from '../operator/kube/patch.ts';
import type { KubeObject } from '../operator/kube/types.ts';
import { silentLogger, type Logger } from '../operator/log.ts';
import { collectionPath, dagResource, instanceResource } from '../operator/store/refs.ts';
import { LeaseMutex, type LeaseMutexOptions } from './mutex.ts';

/** An instance: its name (in the client's namespace), `namespace/name`, or both fields. */
export type InstanceRef = string | { namespace?: string; name: string };

export type FastflowClientOptions = {
  /** Namespace used when a call names none. Default: the kubeconfig context's, else `default`. */
  namespace?: string;
  /** Sent as User-Agent (audit logs, API priority and fairness). Default `fastflow-client`. */
  userAgent?: string;
  /** How long cancel/retry/continue wait for the operator to act. Default 10 s. */
  operationTimeoutMs?: number;
  /** Logs of the watches the client opens (reconnects, errors). Default: silent. */
  logger?: Logger;
};

export type RunDagOptions = {
  namespace?: string;
  /** The instance's name; default: generated, `<dag>-<random>`. */
  name?: string;
  /** The instance fails (DeadlineExceeded) if unfinished this long after it started. */
  activeDeadlineSeconds?: number;
  labels?: Record<string, string>;
};

export type OperationOptions = {
  /** Wait until the operator has acted (default true, like fastflow's CommSync). */
  wait?: boolean;
  /** Default: the client's `operationTimeoutMs`. */
  timeoutMs?: number;
  signal?: AbortSignal;
};

export type WaitOptions = { timeoutMs?: number; signal?: AbortSignal };

/** fastflow's lifecycle hooks, as transitions observed after the fact. */
export type LifecycleHook =
  'BeforeRun' | 'BeforeSuccess' | 'BeforeFail' | 'BeforeBlock' | 'BeforeRetry' | 'BeforeContinue';

export type TaskTransition = { task: string; from: TaskPhase; to: TaskPhase };

/** One observed change of an instance: its phase, its tasks' phases, operations acted on. */
export type InstanceTransition = {
  instance: DagInstance;
  /** The instance as observed before; undefined the first time it is seen. */
  previous: DagInstance | undefined;
  from: InstancePhase | undefined;
  to: InstancePhase;
  tasks: TaskTransition[];
  operations: { name: OperationName; record: OperationRecord }[];
  hooks: LifecycleHook[];
};

export type TransitionHandler = (t: InstanceTransition) => void | Promise<void>;

export type TransitionOptions = {
  /** Also deliver the instances that exist when subscribing (`from: undefined`). Default false. */
  replay?: boolean;
  /** Further attempts when the handler throws, with doubling pauses from 100 ms. Default 3. */
  retries?: number;
  /** Told when the handler still fails after its retries. Default: a line on stderr. */
  onError?: (error: unknown, transition: InstanceTransition) => void;
};

export type TransitionSubscription = {
  /** Resolves once the initial list is in: changes after this are delivered. */
  ready: Promise<void>;
  close(): void;
};

export type ClientErrorReason = 'NotFound' | 'Invalid' | 'Refused' | 'Timeout' | 'Deleted';

/**
 * What went wrong, in the user's terms: `NotFound` (the instance or Dag does
 * not exist), `Invalid` (bad input, nothing was written), `Refused` (the
 * operator refused the operation: `record.message` says why), `Timeout`,
 * `Deleted` (the instance went away while waiting).
 */
export class FastflowClientError extends Error {
  readonly reason: ClientErrorReason;
  readonly record: OperationRecord | undefined;

  constructor(reason: ClientErrorReason, message: string, record?: OperationRecord) {
    super(message);
    this.name = 'FastflowClientError';
    this.reason = reason;
    this.record = record;
  }
}

const DEFAULT_OPERATION_TIMEOUT_MS = 10_000;
const POLL_MS = 150;

/** A programmatic client of fastflow's Dags and DagInstances. */
export class FastflowClient {
  /** The namespace used when a call names none. */
  readonly namespace: string;
  readonly clients: KubeClients;
  readonly #operationTimeoutMs: number;
  readonly #log: Logger;

  constructor(source: KubeConfig | KubeClients, opts: FastflowClientOptions = {}) {
    const kc = source instanceof KubeConfig ? source : source.kc;
    this.clients =
      source instanceof KubeConfig
        ? makeClients(source, { userAgent: opts.userAgent ?? 'fastflow-client' })
        : source;
    this.namespace =
      opts.namespace || kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
    this.#operationTimeoutMs = opts.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    this.#log = opts.logger ?? silentLogger();
  }

  /**
   * Starts an instance of `dag` (fastflow's `RunDag`) and returns its name.
   * Checks first, and writes nothing when a check fails: the Dag exists, is
   * valid and not stopped, and `vars` are declared by it (an undeclared var
   * is an error, not silently dropped as in fastflow).
   */
  async runDag(
    dag: string,
    vars: Record<string, string> = {},
    opts: RunDagOptions = {},
  ): Promise<string> {
    const namespace = opts.namespace || this.namespace;
    checkName('Dag name', dag);
    checkName('namespace', namespace);
    if (opts.name !== undefined) checkName('instance name', opts.name);
    const spec = {
      dagRef: { name: dag },
      ...(Object.keys(vars).length > 0 ? { vars } : {}),
      ...(opts.activeDeadlineSeconds !== undefined
        ? { activeDeadlineSeconds: opts.activeDeadlineSeconds }
        : {}),
    };
    const parsed = DagInstanceSpec.safeParse(spec);
    if (!parsed.success) {
      throw new FastflowClientError('Invalid', describeZodError(parsed.error, 'spec'));
    }
    await this.#checkDag(namespace, dag, vars);
    const metadata = {
      ...(opts.name ? { name: opts.name } : { generateName: `${dag.slice(0, 57)}-` }),
      namespace,
      ...(opts.labels ? { labels: opts.labels } : {}),
    };
    try {
      const created = (await this.clients.custom.createNamespacedCustomObject({
        ...instanceResource,
        namespace,
        body: { apiVersion: API_VERSION, kind: DAG_INSTANCE.kind, metadata, spec: parsed.data },
      })) as KubeObject;
      return created.metadata?.name ?? '';
    } catch (e) {
      if (isAlreadyExists(e)) {
        throw new FastflowClientError(
          'Invalid',
          `DagInstance "${opts.name}" already exists in namespace "${namespace}"`,
        );
      }
      if (isInvalid(e)) throw new FastflowClientError('Invalid', errorMessage(e));
      throw toKubeError(e);
    }
  }

  /** The instance, validated against the DagInstance schema. */
  async get(instance: InstanceRef): Promise<DagInstance> {
    const ref = this.#ref(instance);
    let raw: unknown;
    try {
      raw = await this.clients.custom.getNamespacedCustomObject({ ...instanceResource, ...ref });
    } catch (e) {
      if (isNotFound(e)) throw notFound(ref);
      throw toKubeError(e);
    }
    return parseInstance(raw);
  }

  /** Cancels the unfinished tasks (all of them, or `tasks`); the instance ends Canceled. */
  cancel(
    instance: InstanceRef,
    tasks?: string[],
    opts?: OperationOptions & { wait?: true },
  ): Promise<OperationRecord>;
  cancel(
    instance: InstanceRef,
    tasks: string[] | undefined,
    opts: OperationOptions & { wait: false },
  ): Promise<string>;
  cancel(
    instance: InstanceRef,
    tasks?: string[],
    opts?: OperationOptions,
  ): Promise<OperationRecord | string>;
  cancel(
    instance: InstanceRef,
    tasks?: string[],
    opts: OperationOptions = {},
  ): Promise<OperationRecord | string> {
    return this.#operate('cancel', instance, tasks, opts);
  }

  /** Retries the failed or canceled tasks (all of them, or `tasks`). */
  retry(
    instance: InstanceRef,
    tasks?: string[],
    opts?: OperationOptions & { wait?: true },
  ): Promise<OperationRecord>;
  retry(
    instance: InstanceRef,
    tasks: string[] | undefined,
    opts: OperationOptions & { wait: false },
  ): Promise<string>;
  retry(
    instance: InstanceRef,
    tasks?: string[],
    opts?: OperationOptions,
  ): Promise<OperationRecord | string>;
  retry(
    instance: InstanceRef,
    tasks?: string[],
    opts: OperationOptions = {},
  ): Promise<OperationRecord | string> {
    return this.#operate('retry', instance, tasks, opts);
  }

  /** Continues the tasks blocked by a preCheck (all of them, or `tasks`). */
  continue(
    instance: InstanceRef,
    tasks?: string[],
    opts?: OperationOptions & { wait?: true },
  ): Promise<OperationRecord>;
  continue(
    instance: InstanceRef,
    tasks: string[] | undefined,
    opts: OperationOptions & { wait: false },
  ): Promise<string>;
  continue(
    instance: InstanceRef,
    tasks?: string[],
    opts?: OperationOptions,
  ): Promise<OperationRecord | string>;
  continue(
    instance: InstanceRef,
    tasks?: string[],
    opts: OperationOptions = {},
  ): Promise<OperationRecord | string> {
    return this.#operate('continue', instance, tasks, opts);
  }

  /**
   * Resolves with the instance once it is Succeeded, Failed or Canceled (a
   * watch, no polling). Rejects on timeout or abort, or when it is deleted.
   */
  async waitFor(instance: InstanceRef, opts: WaitOptions = {}): Promise<DagInstance> {
    const ref = this.#ref(instance);
    const finished = (i: DagInstance): DagInstance | undefined =>
      TERMINAL_INSTANCE_PHASES.has(i.status?.phase ?? 'Pending') ? i : undefined;
    const first = await this.get(ref);
    if (finished(first)) return first;
    return this.#watchInstance(ref, finished, {
      ...opts,
      onTimeout: (last) =>
        `DagInstance ${refText(ref)} did not finish within ${opts.timeoutMs} ms ` +
        `(phase ${last?.status?.phase ?? 'Pending'}, progress ${last?.status?.progress ?? '-'})`,
    });
  }

  /**
   * Calls `handler` for every change of an instance of `namespace` this
   * subscription observes: instance phase, task phases, operations acted on,
   * with the fastflow hook names they correspond to. Runs in this process,
   * after the fact, one call at a time; a handler that throws is called again
   * (at least once per observed change). Changes made while nobody
   * subscribes, or collapsed between two observations, are not delivered.
   */
  onTransition(
    namespace: string,
    handler: TransitionHandler,
    opts: TransitionOptions = {},
  ): TransitionSubscription {
    checkName('namespace', namespace);
    const informer = new Informer<KubeObject>(this.clients.kc, {
      path: collectionPath(DAG_INSTANCE.plural, namespace),
      list: (o) =>
        this.clients.custom.listNamespacedCustomObject({
          ...instanceResource,
          namespace,
          ...o,
        }) as Promise<ListPage<KubeObject>>,
      logger: this.#log.child({ subscription: namespace }),
    });
    const deliver = serialDelivery(handler, opts);
    let live = opts.replay ?? false;
    informer.onEvent((ev) => {
      if (ev.type === 'delete' || ev.type === 'resync') return;
      if (ev.type === 'add' && !live) return;
      const current = DagInstance.safeParse(ev.obj);
      if (!current.success) return;
      // Deleted and re-created under the same name: a new instance, not a transition.
      const sameObject = ev.old?.metadata?.uid === current.data.metadata.uid;
      const previous = ev.old && sameObject ? DagInstance.safeParse(ev.old) : undefined;
      const t = transitionOf(previous?.success ? previous.data : undefined, current.data);
      if (t) deliver(t);
    });
    informer.start();
    const ready = informer.synced().then(() => {
      live = true;
    });
    ready.catch(() => {});
    return { ready, close: () => informer.stop() };
  }

  /** A `LeaseMutex` in the client's namespace (unless `namespace` says otherwise). */
  mutex(opts: Omit<LeaseMutexOptions, 'namespace'> & { namespace?: string }): LeaseMutex {
    return new LeaseMutex(this.clients.coordination, {
      ...opts,
      namespace: opts.namespace || this.namespace,
    });
  }

  async #checkDag(namespace: string, name: string, vars: Record<string, string>): Promise<void> {
    let raw: unknown;
    try {
      raw = await this.clients.custom.getNamespacedCustomObject({
        ...dagResource,
        namespace,
        name,
      });
    } catch (e) {
      if (isNotFound(e)) {
        throw new FastflowClientError(
          'NotFound',
          `Dag "${name}" not found in namespace "${namespace}"`,
        );
      }
      throw toKubeError(e);
    }
    const dag = Dag.safeParse(raw);
    if (!dag.success) {
      const detail = describeZodError(dag.error);
      throw new FastflowClientError('Invalid', `Dag "${name}" cannot run: ${detail}`);
    }
    const { spec, status } = dag.data;
    if (spec.status === 'stopped') {
      throw new FastflowClientError(
        'Invalid',
        `Dag "${name}" cannot run: it is stopped (spec.status: stopped) and accepts no new instances`,
      );
    }
    const validation = validateDag(spec);
    if (!validation.valid) {
      const detail = status?.message || validation.message;
      throw new FastflowClientError('Invalid', `Dag "${name}" cannot run: ${detail}`);
    }
    const resolved = resolveVars(spec.vars, vars);
    if (!resolved.ok) {
      throw new FastflowClientError('Invalid', `Dag "${name}": ${resolved.message}`);
    }
  }

  async #operate(
    name: OperationName,
    instance: InstanceRef,
    tasks: string[] | undefined,
    opts: OperationOptions,
  ): Promise<OperationRecord | string> {
    const ref = this.#ref(instance);
    const list = checkTasks(name, tasks);
    const key = OPERATION_ANNOTATIONS[name];
    const value = `${operationToken()}${list.length > 0 ? `:${list.join(',')}` : ''}`;
    const timeoutMs = opts.timeoutMs ?? this.#operationTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    await this.#setAnnotation(ref, name, value, deadline, opts.signal);
    if (opts.wait === false) return value;
    const record = await this.#watchInstance(
      ref,
      (i) => {
        const r = i.status?.operations?.[name];
        if (r?.value === value) return r;
        const now = i.metadata.annotations?.[key];
        if (now !== value) {
          throw new FastflowClientError(
            'Refused',
            `${name} on ${refText(ref)}: superseded by ${key}=${now ?? '(removed)'} before the operator acted`,
          );
        }
        return undefined;
      },
      {
        timeoutMs: Math.max(0, deadline - Date.now()),
        ...(opts.signal ? { signal: opts.signal } : {}),
        onTimeout: () =>
          `the operator did not act on ${key}=${value} of DagInstance ${refText(ref)} within ` +
          `${timeoutMs} ms: is the fastflow operator running and watching namespace "${ref.namespace}"?`,
      },
    );
    if (record.result === 'Refused') {
      throw new FastflowClientError('Refused', record.message, record);
    }
    return record;
  }

  /**
   * Sets the operation annotation, conditioned on the resourceVersion read:
   * an operation of the same kind another client set and the operator has not
   * acted on yet is waited for first, never overwritten (fastflow §13.15).
   */
  async #setAnnotation(
    ref: { namespace: string; name: string },
    name: OperationName,
    value: string,
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const key = OPERATION_ANNOTATIONS[name];
    for (;;) {
      signal?.throwIfAborted();
      const current = await this.get(ref);
      const pending = current.metadata.annotations?.[key];
      if (pending && pending !== current.status?.operations?.[name]?.value) {
        if (Date.now() >= deadline) {
          throw new FastflowClientError(
            'Timeout',
            `${key}=${pending} set by someone else on DagInstance ${refText(ref)} is still ` +
              'waiting for the operator: is the fastflow operator running?',
          );
        }
        await sleep(POLL_MS, undefined, signal ? { signal } : {});
        continue;
      }
      try {
        await this.clients.custom.patchNamespacedCustomObject(
          {
            ...instanceResource,
            ...ref,
            body: {
              metadata: {
                resourceVersion: current.metadata.resourceVersion,
                annotations: { [key]: value },
              },
            },
          },
          mergePatchOptions,
        );
        return;
      } catch (e) {
        if (isNotFound(e)) throw notFound(ref);
        if (!isConflict(e)) throw toKubeError(e);
        // Someone wrote in between: read again (a busy instance changes often).
        if (Date.now() >= deadline) {
          throw new FastflowClientError(
            'Timeout',
            `could not set ${key} on DagInstance ${refText(ref)}: it kept changing (409) until the timeout`,
          );
        }
      }
    }
  }

  /**
   * Resolves with `check(instance)` once it is defined, watching the one
   * instance (field selector on its name). A `check` that throws rejects.
   */
  #watchInstance<T>(
    ref: { namespace: string; name: string },
    check: (i: DagInstance) => T | undefined,
    opts: WaitOptions & { onTimeout: (last: DagInstance | undefined) => string },
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const informer = new Informer<KubeObject>(this.clients.kc, {
        path: collectionPath(DAG_INSTANCE.plural, ref.namespace),
        fieldSelector: `metadata.name=${ref.name}`,
        list: (o) =>
          this.clients.custom.listNamespacedCustomObject({
            ...instanceResource,
            namespace: ref.namespace,
            ...o,
          }) as Promise<ListPage<KubeObject>>,
        logger: this.#log.child({ instance: refText(ref) }),
      });
      let last: DagInstance | undefined;
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => settle(() => reject(abortReason(opts.signal)));
      const settle = (fn: () => void): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        informer.stop();
        fn();
      };
      const consider = (raw: unknown): void => {
        try {
          last = parseInstance(raw);
          const result = check(last);
          if (result !== undefined) settle(() => resolve(result));
        } catch (e) {
          settle(() => reject(e instanceof Error ? e : new Error(String(e))));
        }
      };
      informer.onEvent((ev) => {
        if (ev.type !== 'delete') consider(ev.obj);
        else {
          const msg = `DagInstance ${refText(ref)} was deleted while waiting`;
          settle(() => reject(new FastflowClientError('Deleted', msg)));
        }
      });
      if (opts.signal?.aborted) return reject(abortReason(opts.signal));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.timeoutMs !== undefined) {
        timer = setTimeout(
          () => settle(() => reject(new FastflowClientError('Timeout', opts.onTimeout(last)))),
          opts.timeoutMs,
        );
      }
      informer.start();
      informer.synced().then(
        () => {
          if (informer.list().length === 0) settle(() => reject(notFound(ref)));
        },
        () => {},
      );
    });
  }

  #ref(instance: InstanceRef): { namespace: string; name: string } {
    let namespace: string;
    let name: string;
    if (typeof instance === 'string') {
      const slash = instance.indexOf('/');
      namespace = slash < 0 ? this.namespace : instance.slice(0, slash);
      name = slash < 0 ? instance : instance.slice(slash + 1);
    } else {
      namespace = instance.namespace || this.namespace;
      name = instance.name;
    }
    checkName('instance name', name);
    checkName('namespace', namespace);
    return { namespace, name };
  }
}

/**
 * The change from `previous` to `current` as a transition, or undefined when
 * neither the instance phase, a task phase, nor an operation record changed
 * (most updates: a worker's trace, a label). Exported for tests and for
 * callers that run their own watch.
 */
export function transitionOf(
  previous: DagInstance | undefined,
  current: DagInstance,
): InstanceTransition | undefined {
  const from = previous ? (previous.status?.phase ?? 'Pending') : undefined;
  const to = current.status?.phase ?? 'Pending';
  const tasks = taskTransitions(previous, current);
  const operations = newOperations(previous, current);
  if (from === to && tasks.length === 0 && operations.length === 0) return undefined;
  return {
    instance: current,
    previous,
    from,
    to,
    tasks,
    operations,
    hooks: hooksOf(from, to, tasks, operations),
  };
}

function taskTransitions(
  previous: DagInstance | undefined,
  current: DagInstance,
): TaskTransition[] {
  const before = previous?.status?.tasks ?? {};
  const after = current.status?.tasks ?? {};
  const tasks: TaskTransition[] = [];
  for (const task of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[task]?.phase ?? 'Pending';
    const b = after[task]?.phase ?? 'Pending';
    if (a !== b) tasks.push({ task, from: a, to: b });
  }
  return tasks;
}

/** Operation records written since `previous` (a new value, or the same value acted on again). */
function newOperations(
  previous: DagInstance | undefined,
  current: DagInstance,
): InstanceTransition['operations'] {
  return (Object.keys(OPERATION_ANNOTATIONS) as OperationName[]).flatMap((name) => {
    const was = previous?.status?.operations?.[name];
    const record = current.status?.operations?.[name];
    if (!record || (was && was.value === record.value && was.at === record.at)) return [];
    return [{ name, record }];
  });
}

function hooksOf(
  from: InstancePhase | undefined,
  to: InstancePhase,
  tasks: TaskTransition[],
  operations: InstanceTransition['operations'],
): LifecycleHook[] {
  const hooks: LifecycleHook[] = [];
  const applied = (n: OperationName): boolean =>
    operations.some((o) => o.name === n && o.record.result === 'Applied');
  const entered = (p: InstancePhase): boolean => to === p && from !== p;
  if (entered('Running') && (from === undefined || from === 'Pending')) hooks.push('BeforeRun');
  if (applied('retry') || tasks.some((t) => t.to === 'Retrying')) hooks.push('BeforeRetry');
  if (applied('continue')) hooks.push('BeforeContinue');
  if (entered('Blocked')) hooks.push('BeforeBlock');
  if (entered('Succeeded')) hooks.push('BeforeSuccess');
  // fastflow had no canceled instance: a canceled one ended failed.
  if (entered('Failed') || entered('Canceled')) hooks.push('BeforeFail');
  return hooks;
}

/** Calls the handler one transition at a time, in order, retrying a throw. */
function serialDelivery(
  handler: TransitionHandler,
  opts: TransitionOptions,
): (t: InstanceTransition) => void {
  const retries = opts.retries ?? 3;
  const onError =
    opts.onError ??
    ((e: unknown, t: InstanceTransition): void => {
      const what = `${t.instance.metadata.namespace}/${t.instance.metadata.name} ${t.from ?? '-'} -> ${t.to}`;
      process.stderr.write(`fastflow onTransition handler failed for ${what}: ${String(e)}\n`);
    });
  let chain = Promise.resolve();
  return (t) => {
    chain = chain.then(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await handler(t);
          return;
        } catch (e) {
          if (attempt >= retries) {
            onError(e, t);
            return;
          }
          await sleep(100 * 2 ** attempt);
        }
      }
    });
  };
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

function parseInstance(raw: unknown): DagInstance {
  const parsed = DagInstance.safeParse(raw);
  if (parsed.success) return parsed.data;
  const name = (raw as KubeObject | undefined)?.metadata?.name ?? '?';
  throw new Error(
    `DagInstance ${name} does not match the schema: ${describeZodError(parsed.error)}`,
  );
}

function checkName(what: string, value: string): void {
  const r = ObjectName.safeParse(value);
  if (!r.success) {
    throw new FastflowClientError(
      'Invalid',
      `${what} ${JSON.stringify(value)}: ${describeZodError(r.error)}`,
    );
  }
}

function checkTasks(op: OperationName, tasks: string[] | undefined): string[] {
  const list = tasks ?? [];
  const bad = list.filter((t) => !TaskId.safeParse(t).success);
  if (bad.length > 0) {
    throw new FastflowClientError(
      'Invalid',
      `${op}: ${bad.map((t) => JSON.stringify(t)).join(', ')} is not a task id`,
    );
  }
  return [...new Set(list)];
}

function operationToken(): string {
  return `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

function refText(ref: { namespace: string; name: string }): string {
  return `"${ref.name}" in namespace "${ref.namespace}"`;
}

function notFound(ref: { namespace: string; name: string }): FastflowClientError {
  return new FastflowClientError('NotFound', `DagInstance ${refText(ref)} not found`);
}

function errorMessage(e: unknown): string {
  const k = toKubeError(e);
  return k instanceof Error ? k.message : String(k);
}
