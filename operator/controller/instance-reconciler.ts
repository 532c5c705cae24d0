import { instanceFinished, type DagInstanceStatus } from '../api/dag-instance.ts';
import { DagInstance, describeZodError } from '../api/objects.ts';
import type { Decision } from '../core/decide.ts';
import { pendingOperations, type OperationRequest } from '../core/operations.ts';
import { usesShareData } from '../core/prechecks.ts';
import type { DagGraph } from '../core/graph.ts';
import { DEFAULT_LOOK_AHEAD } from '../core/pre-assign.ts';
import { givenVars, resolveVars } from '../core/vars.ts';
import { deadlineOf } from '../core/instance-start.ts';
import { labelledWorkers } from '../core/worker-labels.ts';
import { labelsBeforeStart } from '../core/start-labels.ts';
import type { KubeClients } from '../kube/client.ts';
import type { ReconcileResult } from '../kube/controller.ts';
import { TerminalError, isConflict } from '../kube/errors.ts';
import { keyOf, refOf } from '../kube/types.ts';
import type { Logger } from '../log.ts';
import type { LoadedSnapshot, RevisionStore } from '../store/revisions.ts';
import type { AttemptDataStore } from '../store/attempt-data.ts';
import { readInstance } from '../store/instance-read.ts';
import type { ShareDataStore } from '../store/share-data.ts';
import {
  addWorkerLabelsFirst,
  syncWorkerLabels,
  writeInstanceStatus,
} from '../store/status-writes.ts';
import type { InstanceShards } from './instance-shards.ts';
import type { ActionLimiter } from './action-limiter.ts';
import type { InstanceStarter } from './instance-starter.ts';
import { runOf } from './instance-run.ts';
import { loadStoredOutputs } from './stored-outputs.ts';
import { OwnWrites } from './own-writes.ts';
import { WriteHold } from './write-hold.ts';
import type { LoadIndex } from './load-index.ts';
import type { ResultInbox } from './result-inbox.ts';
import type { EndRuns } from './end-runs.ts';
import type { SubDags } from './sub-dags.ts';
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
  /** Outputs above the inline bound that system tasks read: the operator's one reader and cache. */
  attemptData: AttemptDataStore;
  /** The workers' results, folded into status before deciding. */
  results: ResultInbox;
  /** Decides with the sharded tasks, moves finished entries into shards, bounds the status. */
  shards: InstanceShards;
  /** Instances with a task waiting for an action no live worker has. */
  waiters: Set<string>;
  /** Chain steps pre-assigned ahead of a running task (the operator's `chainLookAhead`). */
  chainLookAhead?: number;
  limits: ActionLimiter;
  /** The children of subDag tasks: read before deciding, created or canceled after the write. */
  subDags: SubDags;
  /** Starts an ended instance's onFailure and onExit Dags, once each. */
  endRuns: EndRuns;
  log: Logger;
  now?: () => Date;
}

/**
 * The reconcile of one DagInstance: read it, decide, write the status once,
 * then keep the worker labels in step. Level-triggered: it looks only at the
 * current object, so running it again, or after a crash at any line, converges
 * to the same result.
 */
export class InstanceReconciler {
  readonly #d: InstanceReconcilerDeps;
  readonly #hold: WriteHold;
  readonly #own = new OwnWrites();

  constructor(deps: InstanceReconcilerDeps) {
    this.#d = deps;
    this.#hold = new WriteHold(deps.chainLookAhead ?? DEFAULT_LOOK_AHEAD);
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const cached = this.#d.cached(key);
    if (cached === undefined) {
      this.#forget(key);
      this.#own.forget(key);
      // Results of an instance that is gone have nothing to go into.
      await this.#d.results.cleanup(key, undefined);
      return {};
    }
    // Our own write has replaced this version: its event, on its way, brings the next pass.
    if (this.#own.behind(key, cached.metadata.resourceVersion)) return {};
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
    this.#hold.forget(key);
  }

  async #pass(instance: DagInstance, signal: AbortSignal): Promise<ReconcileResult> {
    const key = keyOf(instance.metadata);
    const now = (this.#d.now ?? (() => new Date()))();
    const status = instance.status ?? {};
    const operations = pendingOperations(instance.metadata.annotations, status.operations);
    // A finished instance needs nothing more, unless an operation (a retry) reopens it.
    if (instanceFinished(status.phase) && operations.length === 0) {
      this.#forget(key);
      await this.#labels(instance, new Set());
      await this.#d.results.cleanup(key, status);
      await this.#d.subDags.sync(instance, status);
      await this.#d.endRuns.ensure(instance, status);
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
      await this.#labels(written ?? instance, new Set());
      await this.#d.subDags.sync(written ?? instance, run.failed);
      return {};
    }
    // The workers' results count only for the attempts still current (fencing).
    const folded = { ...run, status: this.#d.results.fold(key, run.status) };
    const decision = await this.#decide(instance, folded, operations, now);
    const persisted = await this.#persist(instance, run.loaded.graph, decision, now, signal);
    if (persisted.written !== false) {
      const written = persisted.written ?? instance;
      await this.#d.subDags.sync(written, decision.status, run.loaded.graph);
      await this.#d.endRuns.ensure(written, decision.status, run.loaded);
    }
    return persisted.result;
  }

  /** Runs the pure decision with everything it reads, and logs what it chose. */
  async #decide(
    instance: DagInstance,
    run: { loaded: LoadedSnapshot; status: DagInstanceStatus },
    operations: OperationRequest[],
    now: Date,
  ): Promise<Decision> {
    const key = keyOf(instance.metadata);
    const sources = await this.#checkSources(instance, run.loaded);
    const tasks = run.status.tasks ?? {};
    const stored = await loadStoredOutputs(this.#d.attemptData, instance, run.loaded.graph, tasks);
    const subDags = await this.#d.subDags.input(instance, run.loaded.graph, run.status);
    // Read after every await: the room that passes of other instances reserved meanwhile counts.
    const workers = this.#d.registry
      .live()
      .map((w) => ({ ...w, load: this.#d.load.slotsTaken(w.name) }));
    // Reserved for this pass until it records them (or fails): see ActionLimiter.
    const actionSlots = this.#d.limits.slotsFor(key, run.loaded.graph, run.status, now);
    let decision: Decision;
    try {
      decision = await this.#d.shards.decide(instance, {
        graph: run.loaded.graph,
        status: run.status,
        workers,
        generation: instance.metadata.generation,
        now,
        operations,
        ...(this.#d.chainLookAhead !== undefined ? { chainLookAhead: this.#d.chainLookAhead } : {}),
        ...sources,
        ...stored,
        ...deadlineOf(instance.spec, run.status),
        ...(actionSlots ? { actionSlots } : {}),
        ...(subDags ? { subDags } : {}),
      });
    } catch (e) {
      this.#d.limits.release(key);
      throw e;
    }
    this.#d.limits.record(key, run.loaded.graph, decision.status, decision.assigned, now);
    this.#d.load.reserve(key, decision.status, decision.assigned);
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
   * Writes the decided status (once; a write that would only report progress,
   * or chain steps their worker runs on its own, waits a little), keeps the
   * worker labels in step, and says when to look again if the decision
   * changes by itself (a retry's backoff, the deadline).
   * `written`: the object written, or false when the write was held back.
   */
  async #persist(
    instance: DagInstance,
    graph: DagGraph,
    decision: Decision,
    now: Date,
    signal: AbortSignal,
  ): Promise<{ result: ReconcileResult; written?: DagInstance | false }> {
    const key = keyOf(instance.metadata);
    const wake = decision.wakeAt
      ? Math.max(1, decision.wakeAt.getTime() - now.getTime())
      : undefined;
    const wait = this.#hold.wait(key, graph, instance.status ?? {}, decision.status, now);
    // Held: nothing else follows it either (labels, TaskResult deletes go by what is written).
    if (wait > 0)
      return { result: { requeueAfterMs: Math.min(wait, wake ?? wait) }, written: false };
    const workers = labelledWorkers(decision.status);
    const written = await this.#write(instance, decision.status, signal, workers);
    if (written) this.#hold.wrote(key, now);
    const finished = instanceFinished(decision.status.phase);
    // Labels follow the status just written (or found unchanged): the version they are computed from.
    const labelled = written ?? instance;
    await this.#labels(labelled, workers);
    await this.#d.results.cleanup(key, decision.status, { written: written !== undefined });
    if (finished) {
      this.#hold.forget(key);
      this.#d.log.info({ instance: key, phase: decision.status.phase }, 'instance finished');
    }
    const result = wake === undefined ? {} : { requeueAfterMs: wake };
    return written ? { result, written } : { result };
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

  /** `workers`: who the labels follow; the pass that starts the instance adds them first. */
  async #write(
    instance: DagInstance,
    next: DagInstanceStatus,
    signal: AbortSignal,
    workers?: ReadonlySet<string>,
  ): Promise<DagInstance | undefined> {
    // A process that lost its leadership must not write, even mid-pass.
    if (signal.aborted) throw new Error('leadership lost: write skipped');
    const { custom } = this.#d.clients;
    const key = keyOf(instance.metadata);
    const early = workers && labelsBeforeStart(instance, next, workers);
    const base = early ? parse(key, await addWorkerLabelsFirst(custom, instance, early)) : instance;
    if (early) this.#own.replaced(key, [instance.metadata.resourceVersion]);
    const written = await writeInstanceStatus(custom, base, next);
    if (written) this.#own.replaced(key, [base.metadata.resourceVersion]);
    if (written) this.#d.log.debug({ instance: key, labelledFirst: !!early }, 'status written');
    return written;
  }

  /** Keeps the worker labels equal to `workers` (see syncWorkerLabels). */
  async #labels(instance: DagInstance, workers: ReadonlySet<string>): Promise<void> {
    const key = keyOf(instance.metadata);
    const over = await syncWorkerLabels(this.#d.clients.custom, instance, workers, () =>
      this.#fresh(key),
    );
    this.#own.replaced(key, over);
  }

  /** The instance as the API server has it now (not the cache); undefined once deleted. */
  async #fresh(key: string): Promise<DagInstance | undefined> {
    const raw = await readInstance(this.#d.clients.custom, refOf(key));
    return raw === undefined ? undefined : parse(key, raw);
  }
}

function parse(key: string, raw: unknown): DagInstance {
  const parsed = DagInstance.safeParse(raw);
  if (!parsed.success) {
    throw new TerminalError(`DagInstance ${key} is unreadable: ${describeZodError(parsed.error)}`);
  }
  return parsed.data;
}
