/**
 * The typed client of fastflow for programs (fastflow's Commander, the
 * Kubernetes way): start instances of a Dag, read them, cancel / retry /
 * continue them and wait until the operator has acted, wait for the end, and
 * subscribe to phase transitions (the SDK side of fastflow's lifecycle hooks).
 * Everything goes through the Kubernetes API: the operator is never called
 * directly, so the client works from any process with RBAC on the objects.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { TERMINAL_INSTANCE_PHASES, type OperationRecord } from '../../operator/api/dag-instance.ts';
import type { OperationName } from '../../operator/api/names.ts';
import type { SignalVerb } from '../../operator/api/waits.ts';
import type { DagInstance } from '../../operator/api/objects.ts';
import { makeClients, type KubeClients } from '../../operator/kube/client.ts';
import { silentLogger, type Logger } from '../../operator/log.ts';
import { checkName, refText } from './errors.ts';
import {
  createInstance,
  readInstance,
  resolveInstanceRef,
  type InstanceKey,
  type InstanceRef,
  type RunDagOptions,
} from './instances.ts';
import {
  operate,
  sendSignal,
  type OperationContext,
  type OperationOptions,
  type Sent,
} from './operations.ts';
import {
  subscribeTransitions,
  type TransitionHandler,
  type TransitionOptions,
  type TransitionSubscription,
} from './transitions.ts';
import { watchInstance, type WaitOptions } from './wait.ts';
import { LeaseMutex, type LeaseMutexOptions } from '../mutex/mutex.ts';

export { FastflowClientError, type ClientErrorReason } from './errors.ts';
export type { InstanceRef, RunDagOptions } from './instances.ts';
export type { OperationOptions, Sent } from './operations.ts';
export {
  transitionOf,
  type InstanceTransition,
  type LifecycleHook,
  type TaskTransition,
  type TransitionHandler,
  type TransitionOptions,
  type TransitionSubscription,
} from './transitions.ts';
export type { WaitOptions } from './wait.ts';

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

const DEFAULT_OPERATION_TIMEOUT_MS = 10_000;

/** What a person says with an approval or a rejection. */
type Said = { message?: string };

/** A programmatic client of fastflow's Dags and DagInstances. */
export class FastflowClient {
  /** The namespace used when a call names none. */
  readonly namespace: string;
  readonly clients: KubeClients;
  readonly #operationTimeoutMs: number;
  readonly #log: Logger;
  readonly #operations: OperationContext;

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
    this.#operations = {
      clients: this.clients,
      log: this.#log,
      operationTimeoutMs: this.#operationTimeoutMs,
      get: (ref) => this.get(ref),
    };
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
    return createInstance(this.clients, namespace, dag, vars, opts);
  }

  /** The instance, validated against the DagInstance schema. */
  async get(instance: InstanceRef): Promise<DagInstance> {
    return readInstance(this.clients, this.#ref(instance));
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

  /** Approves a waiting approval task: it succeeds, saying who (this client's user) and when. */
  approve<O extends OperationOptions>(
    i: InstanceRef,
    task: string,
    opts = {} as O & Said,
  ): Promise<Sent<O>> {
    return this.#signal(i, { verb: 'approve', task, text: opts.message }, opts);
  }

  /** Rejects a waiting approval task: it fails (Rejected), saying who and when. */
  reject<O extends OperationOptions>(
    i: InstanceRef,
    task: string,
    opts = {} as O & Said,
  ): Promise<Sent<O>> {
    return this.#signal(i, { verb: 'reject', task, text: opts.message }, opts);
  }

  /** Ends a waiting wait task; `payload` (any JSON) becomes its output. */
  signal<O extends OperationOptions>(
    i: InstanceRef,
    task: string,
    payload?: unknown,
    opts = {} as O,
  ): Promise<Sent<O>> {
    const text = payload === undefined ? undefined : JSON.stringify(payload);
    return this.#signal(i, { verb: 'signal', task, text }, opts);
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
    return watchInstance(this.clients, this.#log, ref, finished, {
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
    return subscribeTransitions(this.clients, this.#log, namespace, handler, opts);
  }

  /** A `LeaseMutex` in the client's namespace (unless `namespace` says otherwise). */
  mutex(opts: Omit<LeaseMutexOptions, 'namespace'> & { namespace?: string }): LeaseMutex {
    return new LeaseMutex(this.clients.coordination, {
      ...opts,
      namespace: opts.namespace || this.namespace,
    });
  }

  async #operate(
    name: OperationName,
    instance: InstanceRef,
    tasks: string[] | undefined,
    opts: OperationOptions,
  ): Promise<OperationRecord | string> {
    return operate(this.#operations, name, this.#ref(instance), tasks, opts);
  }

  #signal<O extends OperationOptions>(
    instance: InstanceRef,
    signal: { verb: SignalVerb; task: string; text: string | undefined },
    opts: O,
  ): Promise<Sent<O>> {
    const { text, ...rest } = signal;
    return sendSignal(
      this.#operations,
      this.#ref(instance),
      { ...rest, ...(text ? { text } : {}) },
      opts,
    );
  }

  #ref(instance: InstanceRef): InstanceKey {
    return resolveInstanceRef(instance, this.namespace);
  }
}
