/**
 * The typed client of fastflow for programs (fastflow's Commander, the
 * Kubernetes way): start instances, read them, operate them and signal their
 * waiting tasks (signals.ts), wait for the end, subscribe to transitions.
 * All through the Kubernetes API: it works from any process with RBAC.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { instanceFinished, type OperationRecord } from '../../operator/api/dag-instance.ts';
import type { OperationName } from '../../operator/api/names.ts';
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
  type Started,
} from './instances.ts';
import { operate, type OperationContext, type OperationOptions } from './operations.ts';
import { withReferencedValues } from './outputs.ts';
import {
  subscribeTransitions,
  type TransitionHandler,
  type TransitionOptions,
  type TransitionSubscription,
} from './transitions.ts';
import { watchInstance, type WaitOptions } from './wait.ts';
import { LeaseMutex, type LeaseMutexOptions } from '../mutex/mutex.ts';
import { SignalSender } from './signals.ts';
import { TaskShardStore } from '../../operator/store/task-shards.ts';

export { FastflowClientError, type ClientErrorReason } from './errors.ts';
export type { InstanceRef, RunDagOptions, Started } from './instances.ts';
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
  /** How long operations and signals wait for the operator to act. Default 10 s. */
  operationTimeoutMs?: number;
  /** Logs of the watches the client opens (reconnects, errors). Default: silent. */
  logger?: Logger;
};

/** The options of the operations that always wait for the operator's record. */
type WaitingOptions = Omit<OperationOptions, 'wait'>;

/** A programmatic client of fastflow's Dags and DagInstances. */
export class FastflowClient extends SignalSender {
  /** The namespace used when a call names none. */
  readonly namespace: string;
  readonly clients: KubeClients;
  readonly #log: Logger;
  readonly #operations: OperationContext;
  readonly #shards: TaskShardStore;

  constructor(source: KubeConfig | KubeClients, opts: FastflowClientOptions = {}) {
    super();
    const kc = source instanceof KubeConfig ? source : source.kc;
    this.clients =
      source instanceof KubeConfig
        ? makeClients(source, { userAgent: opts.userAgent ?? 'fastflow-client' })
        : source;
    this.namespace =
      opts.namespace || kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
    this.#log = opts.logger ?? silentLogger();
    // Shards a client keeps once read (immutable): a 10,000-task instance has 313.
    this.#shards = new TaskShardStore(this.clients.custom, { cacheLimit: 1024 });
    this.#operations = {
      clients: this.clients,
      log: this.#log,
      operationTimeoutMs: opts.operationTimeoutMs ?? 10_000, // the default the options state
      // Waiting for an operation record needs no task entries: the shards are not read.
      get: (ref) => readInstance(this.clients, this.#ref(ref)),
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
    return (await this.startDag(dag, vars, opts)).name;
  }

  /**
   * runDag, saying whether it created the instance or, with an
   * `idempotencyKey` used before, found the one that key started.
   */
  async startDag(
    dag: string,
    vars: Record<string, string> = {},
    opts: RunDagOptions = {},
  ): Promise<Started> {
    const namespace = opts.namespace || this.namespace;
    return createInstance(this.clients, namespace, dag, vars, opts);
  }

  /**
   * The instance, validated against the DagInstance schema, in one piece:
   * `status.tasks` holds every task's entry (those the operator moved into
   * TaskShards included), with the outputs and params kept beside it read in.
   */
  async get(instance: InstanceRef): Promise<DagInstance> {
    const read = await readInstance(this.clients, this.#ref(instance));
    return withReferencedValues(this.clients, await this.#shards.whole(read));
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

  /** Skips tasks that have not run (Pending or Blocked); their children run. Waits for the operator. */
  skip(
    instance: InstanceRef,
    tasks: string[],
    opts: WaitingOptions = {},
  ): Promise<OperationRecord> {
    return this.#operate('skip', instance, tasks, opts) as Promise<OperationRecord>;
  }

  /**
   * Runs `task` and every task after it again (none may be running), with
   * `vars`, when given, overriding the instance's from then on (recorded in
   * status.rerunVars: spec.vars are immutable).
   */
  rerun(
    instance: InstanceRef,
    task: string,
    opts: WaitingOptions & { vars?: Record<string, string> } = {},
  ): Promise<OperationRecord> {
    const { vars, ...rest } = opts;
    const ref = this.#ref(instance);
    return operate(this.#operations, 'rerun', ref, [task], rest, vars) as Promise<OperationRecord>;
  }

  /** Runs every task again from the start, with the instance's own vars (none may be running). */
  restart(instance: InstanceRef, opts: WaitingOptions = {}): Promise<OperationRecord> {
    return this.#operate('restart', instance, undefined, opts) as Promise<OperationRecord>;
  }

  /** Holds the instance: running tasks finish, nothing new starts until `resume`. */
  pause(instance: InstanceRef, opts: WaitingOptions = {}): Promise<OperationRecord> {
    return this.#operate('pause', instance, undefined, opts) as Promise<OperationRecord>;
  }

  /** Lets a paused instance go on. */
  resume(instance: InstanceRef, opts: WaitingOptions = {}): Promise<OperationRecord> {
    return this.#operate('resume', instance, undefined, opts) as Promise<OperationRecord>;
  }

  /**
   * Resolves with the instance once it is Succeeded, Failed or Canceled (a
   * watch, no polling). Rejects on timeout or abort, or when it is deleted.
   */
  async waitFor(instance: InstanceRef, opts: WaitOptions = {}): Promise<DagInstance> {
    const ref = this.#ref(instance);
    const finished = (i: DagInstance): DagInstance | undefined =>
      instanceFinished(i.status?.phase) ? i : undefined;
    const first = await this.get(ref);
    if (finished(first)) return first;
    const done = await watchInstance(this.clients, this.#log, ref, finished, {
      ...opts,
      onTimeout: (last) =>
        `DagInstance ${refText(ref)} did not finish within ${opts.timeoutMs} ms ` +
        `(phase ${last?.status?.phase ?? 'Pending'}, progress ${last?.status?.progress ?? '-'})`,
    });
    return withReferencedValues(this.clients, await this.#shards.whole(done));
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
    const namespace = opts.namespace || this.namespace;
    return new LeaseMutex(this.clients.coordination, { ...opts, namespace });
  }

  async #operate(
    name: OperationName,
    instance: InstanceRef,
    tasks: string[] | undefined,
    opts: OperationOptions,
  ): Promise<OperationRecord | string> {
    return operate(this.#operations, name, this.#ref(instance), tasks, opts);
  }

  protected signalTarget(instance: InstanceRef): { ctx: OperationContext; ref: InstanceKey } {
    return { ctx: this.#operations, ref: this.#ref(instance) };
  }

  #ref(instance: InstanceRef): InstanceKey {
    return resolveInstanceRef(instance, this.namespace);
  }
}
