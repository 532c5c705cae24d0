import { TERMINAL_INSTANCE_PHASES, type DagInstanceStatus } from '../api/dag-instance.ts';
import { DagInstance, describeZodError } from '../api/objects.ts';
import type { Decision } from '../core/decide.ts';
import { mergePatchDiff } from '../core/merge-patch.ts';
import { pendingOperations, type OperationRequest } from '../core/operations.ts';
import { usesShareData } from '../core/prechecks.ts';
import { isProgressOnly } from '../core/progress-only.ts';
import { givenVars, resolveVars } from '../core/vars.ts';
import { deadlineOf } from '../core/instance-start.ts';
import { labelledWorkers } from '../core/worker-labels.ts';
import type { KubeClients } from '../kube/client.ts';
import type { ReconcileResult } from '../kube/controller.ts';
import { TerminalError, isConflict, isNotFound, toKubeError } from '../kube/errors.ts';
import { keyOf, refOf } from '../kube/types.ts';
import type { Logger } from '../log.ts';
import { instanceResource } from '../api/names.ts';
import type { LoadedSnapshot, RevisionStore } from '../store/revisions.ts';
import type { ShareDataStore } from '../store/share-data.ts';
import { syncWorkerLabels, writeInstanceStatus } from '../store/status-writes.ts';
import type { InstanceShards } from './instance-shards.ts';
import type { ActionLimiter } from './action-limiter.ts';
import type { InstanceStarter } from './instance-starter.ts';
import { runOf } from './instance-run.ts';
import type { LoadIndex } from './load-index.ts';
import type { ResultInbox } from './result-inbox.ts';
import type { WorkerRegistry } from './worker-registry.ts';

export interface InstanceReconcilerDeps {
  clients: KubeClients;
  /** The informer's copy of the instance (parsed there). */
  cached: (key: string) => DagInstance | undefined;
  starter: InstanceStarter;
  revisions: RevisionStore;
  registry: WorkerRegistry;
  load: LoadIndex;
  shareData: ShareDataStore;
  /** The workers' results, folded into status before deciding. */
  results: ResultInbox;
  /** Decides with the sharded tasks, moves finished entries into shards, bounds the status. */
  shards: InstanceShards;
  /** Instances with a task waiting for an action no live worker has. */
  waiters: Set<string>;
  /** Chain steps pre-assigned ahead of a running task (the operator's `chainLookAhead`). */
  chainLookAhead?: number;
  limits: ActionLimiter;
  log: Logger;
  now?: () => Date;
}

/**
 * The reconcile of one DagInstance: read it, decide, write the status once,
 * then keep the worker labels in step. Level-triggered: it looks only at the
 * current object, so running it again, or after a crash at any line, converges
 * to the same result.
 */
/** The most often a write that only updates progress is made for one instance. */
const PROGRESS_INTERVAL_MS = 1000;

export class InstanceReconciler {
  readonly #d: InstanceReconcilerDeps;
  /** When each running instance's status was last written by this process. */
  readonly #lastWrite = new Map<string, number>();

  constructor(deps: InstanceReconcilerDeps) {
    this.#d = deps;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const cached = this.#d.cached(key);
    if (cached === undefined) {
      this.#forget(key);
      // Results of an instance that is gone have nothing to go into.
      await this.#d.results.cleanup(key, undefined);
      return {};
    }
    try {
      return await this.#pass(cached, signal);
    } catch (e) {
      if (!isConflict(e)) throw e;
      // Someone wrote since our cache saw the object: decide again on a fresh read.
      const fresh = await this.#fresh(key);
      return fresh === undefined ? {} : await this.#pass(fresh, signal);
    }
  }

  /** Drops what this process keeps about an instance that is gone or has finished. */
  #forget(key: string): void {
    this.#d.waiters.delete(key);
    this.#d.shards.forget(key);
    this.#d.limits.forget(key);
    this.#lastWrite.delete(key);
  }

  async #pass(instance: DagInstance, signal: AbortSignal): Promise<ReconcileResult> {
    const key = keyOf(instance.metadata);
    const now = (this.#d.now ?? (() => new Date()))();
    const status = instance.status ?? {};
    const operations = pendingOperations(instance.metadata.annotations, status.operations);
    // A finished instance needs nothing more, unless an operation (a retry) reopens it.
    if (status.phase && TERMINAL_INSTANCE_PHASES.has(status.phase) && operations.length === 0) {
      this.#forget(key);
      await syncWorkerLabels(this.#d.clients.custom, instance, new Set(), () => this.#fresh(key));
      await this.#d.results.cleanup(key, status);
      return {};
    }
    const run = await runOf(this.#d, instance, operations, now);
    if ('waiting' in run) {
      await this.#write(instance, run.waiting, signal);
      return {};
    }
    if ('failed' in run) {
      this.#forget(key);
      const written = await this.#write(instance, run.failed, signal);
      if (written)
        this.#d.log.info({ instance: key, phase: run.failed.phase }, run.failed.message ?? '');
      await syncWorkerLabels(this.#d.clients.custom, written ?? instance, new Set(), () =>
        this.#fresh(key),
      );
      return {};
    }
    // The workers' results count only for the attempts still current (fencing).
    const folded = { ...run, status: this.#d.results.fold(key, run.status) };
    const decision = await this.#decide(instance, folded, operations, now);
    return this.#persist(instance, decision, now, signal);
  }

  /** Runs the pure decision with everything it reads, and logs what it chose. */
  async #decide(
    instance: DagInstance,
    run: { loaded: LoadedSnapshot; status: DagInstanceStatus },
    operations: OperationRequest[],
    now: Date,
  ): Promise<Decision> {
    const key = keyOf(instance.metadata);
    const workers = this.#d.registry.live().map((w) => ({ ...w, load: this.#d.load.load(w.name) }));
    const sources = await this.#checkSources(instance, run.loaded);
    const actionSlots = this.#d.limits.slotsFor(key, run.loaded.graph, run.status, now);
    const decision = await this.#d.shards.decide(instance, {
      graph: run.loaded.graph,
      status: run.status,
      workers,
      generation: instance.metadata.generation,
      now,
      operations,
      ...(this.#d.chainLookAhead !== undefined ? { chainLookAhead: this.#d.chainLookAhead } : {}),
      ...sources,
      ...deadlineOf(instance.spec, run.status),
      ...(actionSlots ? { actionSlots } : {}),
    });
    this.#d.limits.record(key, run.loaded.graph, decision.status, decision.assigned, now);
    for (const op of operations) {
      const record = decision.status.operations?.[op.name];
      const fields = { instance: key, operation: op.name, result: record?.result };
      this.#d.log.info(fields, record?.message ?? op.name);
    }
    for (const a of decision.assigned) {
      const fields = { instance: key, task: a.task, attempt: a.attempt, worker: a.worker };
      this.#d.log.debug(fields, 'task assigned');
    }
    if (decision.waitingFor.length > 0) this.#d.waiters.add(key);
    else this.#d.waiters.delete(key);
    return decision;
  }

  /**
   * Writes the decided status (once; a write that would only report progress
   * waits a little), keeps the worker labels in step, and says when to look
   * again if the decision changes by itself (a retry's backoff, the deadline).
   */
  async #persist(
    instance: DagInstance,
    decision: Decision,
    now: Date,
    signal: AbortSignal,
  ): Promise<ReconcileResult> {
    const key = keyOf(instance.metadata);
    const wake = decision.wakeAt
      ? Math.max(1, decision.wakeAt.getTime() - now.getTime())
      : undefined;
    const wait = this.#progressWait(key, instance.status ?? {}, decision.status, now);
    if (wait > 0) return { requeueAfterMs: Math.min(wait, wake ?? wait) };
    const written = await this.#write(instance, decision.status, signal);
    if (written) this.#lastWrite.set(key, now.getTime());
    const finished = TERMINAL_INSTANCE_PHASES.has(decision.status.phase ?? 'Running');
    // Labels follow the status just written (or found unchanged): the version they are computed from.
    const labelled = written ?? instance;
    await syncWorkerLabels(this.#d.clients.custom, labelled, labelledWorkers(decision.status), () =>
      this.#fresh(key),
    );
    await this.#d.results.cleanup(key, decision.status, { written: written !== undefined });
    if (finished) {
      this.#lastWrite.delete(key);
      this.#d.log.info({ instance: key, phase: decision.status.phase }, 'instance finished');
    }
    return wake === undefined ? {} : { requeueAfterMs: wake };
  }

  /** What preChecks read: the instance vars, and its share data when some check needs it. */
  async #checkSources(
    instance: DagInstance,
    loaded: LoadedSnapshot,
  ): Promise<{ vars: Record<string, string>; shareData?: Record<string, string> }> {
    const given = givenVars(instance.spec, instance.status);
    const resolved = resolveVars(loaded.snapshot.spec.vars, given);
    const vars = resolved.ok ? resolved.vars : {};
    if (!usesShareData(loaded.graph.tasks.values())) return { vars };
    const ref = { namespace: instance.metadata.namespace ?? '', name: instance.metadata.name };
    return { vars, shareData: await this.#d.shareData.read(ref) };
  }

  /** How long to hold back a write that would only report progress (0: write now). */
  #progressWait(key: string, from: DagInstanceStatus, to: DagInstanceStatus, now: Date): number {
    if (!isProgressOnly(mergePatchDiff(from, to))) return 0;
    const last = this.#lastWrite.get(key);
    return last === undefined ? 0 : Math.max(0, last + PROGRESS_INTERVAL_MS - now.getTime());
  }

  async #write(
    instance: DagInstance,
    next: DagInstanceStatus,
    signal: AbortSignal,
  ): Promise<DagInstance | undefined> {
    // A process that lost its leadership must not write, even mid-pass.
    if (signal.aborted) throw new Error('leadership lost: write skipped');
    const written = await writeInstanceStatus(this.#d.clients.custom, instance, next);
    if (written) this.#d.log.debug({ instance: keyOf(instance.metadata) }, 'status written');
    return written;
  }

  /** The instance as the API server has it now (not the cache); undefined once deleted. */
  async #fresh(key: string): Promise<DagInstance | undefined> {
    try {
      const raw: unknown = await this.#d.clients.custom.getNamespacedCustomObject({
        ...instanceResource,
        ...refOf(key),
      });
      return parse(key, raw);
    } catch (e) {
      if (e instanceof TerminalError) throw e;
      const err = toKubeError(e);
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

function parse(key: string, raw: unknown): DagInstance {
  const parsed = DagInstance.safeParse(raw);
  if (!parsed.success) {
    throw new TerminalError(`DagInstance ${key} is unreadable: ${describeZodError(parsed.error)}`);
  }
  return parsed.data;
}
