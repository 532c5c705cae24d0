import type { CustomObjectsApi } from '@kubernetes/client-node';
import {
  ACTIVE_TASK_PHASES,
  type DagInstanceStatus,
  type TaskPhase,
} from '../../operator/api/dag-instance.ts';
import {
  MAX_RESULT_BYTES,
  MAX_RESULTS_PER_OBJECT,
  attemptKey,
  parseAttemptKey,
  type AttemptResult,
} from '../../operator/api/task-result.ts';
import {
  mergeResults,
  refusedResult,
  resultBytes,
  resultOf,
  type AttemptReport,
} from '../../operator/core/task-report.ts';
import { KubeApiError, isAlreadyExists, isNotFound } from '../../operator/kube/errors.ts';
import { keyOf, type ObjectRef } from '../../operator/kube/types.ts';
import type { Logger } from '../../operator/log.ts';
import {
  TaskResultWriter,
  type OwnerInstance,
  type ResultChanges,
} from '../../operator/store/task-results.ts';

interface Pending {
  result: AttemptResult;
  settle: Array<(written: boolean) => void>;
}

interface InstanceQueue {
  instance: OwnerInstance;
  /** By attempt key: two attempts of one task are two entries, never one replacing the other. */
  pending: Map<string, Pending>;
  /** Entries in the object not yet seen folded, with their size in bytes. */
  written: Map<string, number>;
  /** Entries seen folded: removed by the next write (never a write of their own). */
  prune: Set<string>;
  /** Whether the object exists, as far as this writer knows (undefined: try a create). */
  exists?: boolean;
  inFlight: boolean;
  timer?: NodeJS.Timeout; // a deferred flush (see `report`'s deferMs)
  /** A report that must not wait is queued: flush as soon as the write in flight is done. */
  urgent: boolean;
}

type Outcome = { ok: true } | { ok: false; refused?: string };

const [RETRY_MIN_MS, RETRY_MAX_MS] = [100, 5000];

/**
 * Writes a worker's reports on its attempts into its own TaskResult object of
 * each instance, which the operator folds into the instance status (fenced by
 * attempt there) and deletes. Writes for one instance are serialized;
 * whatever arrives while one is in flight goes out together in the next
 * merge patch, so a burst of results costs one write, not one per task.
 * Nothing is dropped: a result the API server refuses (422, 413) becomes a
 * failure of its attempt saying why (ResultRefused); other failures are
 * retried until they land or the worker stops.
 */
export class ReportWriter {
  readonly #api: TaskResultWriter;
  readonly #worker: string;
  readonly #log: Logger;
  readonly #queues = new Map<string, InstanceQueue>();
  /** The phase each attempt will have once the queued writes land: the next report's origin. */
  readonly #lastPhase = new Map<string, TaskPhase>();
  /** Attempts whose result was refused: their later reports are not written. */
  readonly #refused = new Set<string>();
  #stopped = false;

  constructor(custom: CustomObjectsApi, worker: string, log: Logger) {
    this.#api = new TaskResultWriter(custom, worker);
    this.#worker = worker;
    this.#log = log;
  }

  /**
   * Queues a report; resolves true once written, false if it never will be
   * (the worker stopped, or the API server refused this attempt's result and
   * a failure was written instead). With `deferMs`, the write waits that
   * long for company: a Running report deferred a few milliseconds is merged
   * with the result of a short task. The phase written is the transition
   * table's for the event after the attempt's last report (throws
   * TaskTransitionRefused if it has no row).
   */
  report(instance: OwnerInstance, r: AttemptReport, deferMs = 0): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    const key = keyOf(instance);
    const entryKey = attemptKey(r.task, r.attempt);
    const full = `${key}/${entryKey}`;
    if (this.#refused.has(full)) return Promise.resolve(false);
    const result = resultOf(r, this.#lastPhase.get(full) ?? 'Scheduled');
    this.#lastPhase.set(full, result.phase);
    const queue = this.#queue(key, instance);
    return new Promise<boolean>((resolve) => {
      const done = (written: boolean): void => {
        if (!written || !ACTIVE_TASK_PHASES.has(result.phase)) this.#lastPhase.delete(full);
        resolve(written);
      };
      const existing = queue.pending.get(entryKey);
      if (existing) {
        existing.result = mergeResults(existing.result, result);
        existing.settle.push(done);
      } else {
        queue.pending.set(entryKey, { result, settle: [done] });
      }
      if (deferMs <= 0) {
        queue.urgent = true;
        this.#kick(key, queue);
      } else
        queue.timer ??= setTimeout(() => {
          queue.timer = undefined;
          this.#kick(key, queue);
        }, deferMs);
    });
  }

  /**
   * The instance as the worker's watch shows it now (undefined: gone): the
   * entries its status has folded, or whose attempt is no longer this
   * worker's, are dropped from the object with the next write.
   */
  observe(instance: ObjectRef, status: DagInstanceStatus | undefined): void {
    const key = keyOf(instance);
    const queue = this.#queues.get(key);
    if (!queue) return;
    for (const k of queue.written.keys()) {
      if (status !== undefined && this.#stillCurrent(k, status)) continue;
      queue.written.delete(k);
      // An instance that is gone took its TaskResult with it: nothing to drop.
      if (status !== undefined) queue.prune.add(k);
    }
    if (queue.pending.size > 0) this.#kick(key, queue);
    else if (!queue.inFlight && queue.written.size === 0 && status === undefined)
      this.#queues.delete(key);
  }

  /** Whether the status still shows the entry's attempt as this worker's, not yet finished. */
  #stillCurrent(entryKey: string, status: DagInstanceStatus): boolean {
    const id = parseAttemptKey(entryKey);
    const entry = id && status.tasks?.[id.task];
    return (
      entry?.worker === this.#worker &&
      entry.attempt === id?.attempt &&
      ACTIVE_TASK_PHASES.has(entry.phase)
    );
  }

  /** Resolves once every queued report has been written or given up. */
  async drain(): Promise<void> {
    while ([...this.#queues.values()].some((q) => q.inFlight || q.pending.size > 0)) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const q of this.#queues.values()) {
      clearTimeout(q.timer);
      for (const p of q.pending.values()) for (const s of p.settle) s(false);
      q.pending.clear();
    }
  }

  #queue(key: string, instance: OwnerInstance): InstanceQueue {
    const queue = this.#queues.get(key) ?? {
      instance,
      pending: new Map<string, Pending>(),
      written: new Map<string, number>(),
      prune: new Set<string>(),
      inFlight: false,
      urgent: false,
    };
    this.#queues.set(key, queue);
    return queue;
  }

  #kick(key: string, queue: InstanceQueue): void {
    if (queue.inFlight || queue.pending.size === 0 || this.#stopped) return;
    // The object stays within its bounds: what does not fit waits for folds to make room.
    let count = queue.written.size;
    let bytes = [...queue.written.values()].reduce((a, b) => a + b, 0);
    const batch: [string, Pending][] = [];
    for (const [k, p] of queue.pending) {
      const adds = queue.written.has(k) ? 0 : 1;
      const grows = resultBytes(k, p.result) - (queue.written.get(k) ?? 0);
      if (count + adds > MAX_RESULTS_PER_OBJECT || bytes + grows > MAX_RESULT_BYTES) continue;
      count += adds;
      bytes += grows;
      batch.push([k, p]);
    }
    if (batch.length === 0) return;
    clearTimeout(queue.timer);
    queue.timer = undefined;
    queue.urgent = false;
    for (const [k] of batch) queue.pending.delete(k);
    queue.inFlight = true;
    void this.#flush(queue, batch, RETRY_MIN_MS).finally(() => {
      queue.inFlight = false;
      // Deferred reports keep waiting for their timer (which may have fired meanwhile).
      if (queue.pending.size > 0 && (queue.urgent || queue.timer === undefined))
        this.#kick(key, queue);
    });
  }

  async #flush(queue: InstanceQueue, batch: [string, Pending][], delayMs: number): Promise<void> {
    const key = keyOf(queue.instance);
    this.#log.debug({ instance: key, reports: batch.map(([k]) => k) }, 'writing reports');
    const outcome = await this.#write(queue, batch);
    if (outcome.ok) {
      for (const [, p] of batch) for (const s of p.settle) s(true);
      return;
    }
    if (outcome.refused === undefined) {
      await this.#retry(queue, batch, delayMs);
      return;
    }
    // The API server refused what the batch carries: find the entry it refuses.
    if (batch.length > 1) {
      for (const one of batch) await this.#flush(queue, [one], delayMs);
      return;
    }
    const [k, p] = batch[0] ?? [];
    if (k === undefined || p === undefined) return;
    if (p.result.reason === 'ResultRefused') {
      // Even the failure standing in for it is refused: the object, not the entry, is at fault.
      this.#log.error({ instance: key, entry: k, why: outcome.refused }, 'result refused');
      await this.#retry(queue, batch, delayMs);
      return;
    }
    this.#log.warn({ instance: key, entry: k, why: outcome.refused }, 'result refused');
    this.#refused.add(`${key}/${k}`);
    const failure = refusedResult(p.result, outcome.refused, new Date());
    await this.#flush(queue, [[k, { result: failure, settle: [] }]], delayMs);
    for (const s of p.settle) s(false);
  }

  async #retry(queue: InstanceQueue, batch: [string, Pending][], delayMs: number): Promise<void> {
    if (this.#stopped) {
      for (const [, p] of batch) for (const s of p.settle) s(false);
      return;
    }
    await new Promise((r) => setTimeout(r, delayMs));
    await this.#flush(queue, batch, Math.min(delayMs * 2, RETRY_MAX_MS));
  }

  /** One write of the batch and the entries to drop: a merge patch, or a create if need be. */
  async #write(queue: InstanceQueue, batch: [string, Pending][]): Promise<Outcome> {
    const pruned = [...queue.prune];
    const changes: ResultChanges = Object.fromEntries(pruned.map((k) => [k, null]));
    for (const [k, p] of batch) changes[k] = p.result;
    try {
      await this.#createOrPatch(queue, changes);
    } catch (e) {
      if (e instanceof KubeApiError && (e.code === 422 || e.code === 413))
        return { ok: false, refused: e.message };
      this.#log.warn(
        { instance: keyOf(queue.instance), err: String(e) },
        'report write failed; retrying',
      );
      return { ok: false };
    }
    for (const k of pruned) queue.prune.delete(k);
    for (const [k, p] of batch) queue.written.set(k, resultBytes(k, p.result));
    return { ok: true };
  }

  /**
   * A patch if the object is there; a create if it is not (first write, or
   * the operator deleted it once all was folded): either way the other on the
   * answer that says the guess was wrong.
   */
  async #createOrPatch(queue: InstanceQueue, changes: ResultChanges): Promise<void> {
    if (queue.exists === true) {
      try {
        await this.#api.patch(queue.instance, changes);
        return;
      } catch (e) {
        if (!isNotFound(e)) throw e;
        queue.exists = false;
      }
    }
    try {
      // What the deleted object held was all folded: nothing to drop any more.
      queue.written.clear();
      await this.#api.create(queue.instance, changes);
      queue.exists = true;
      queue.prune.clear();
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      queue.exists = true;
      await this.#api.patch(queue.instance, changes);
    }
  }
}
