import type { CustomObjectsApi } from '@kubernetes/client-node';
import { ACTIVE_TASK_PHASES, type TaskPhase } from '../../operator/api/dag-instance.ts';
import {
  fenceReport,
  mergeReports,
  reportOps,
  type AttemptReport,
  type TaskReport,
} from '../../operator/core/task-report.ts';
import { isInvalid, isNotFound, toKubeError } from '../../operator/kube/errors.ts';
import { jsonPatchOptions } from '../../operator/kube/patch.ts';
import { keyOf, refOf, type ObjectRef } from '../../operator/kube/types.ts';
import type { Logger } from '../../operator/log.ts';
import { STATUS_FIELD_MANAGER } from '../../operator/store/refs.ts';
import { instanceResource } from '../../operator/api/names.ts';

interface Pending {
  report: TaskReport;
  settle: Array<(applied: boolean) => void>;
}

interface InstanceQueue {
  /** By attempt and task: two attempts of one task are two reports, never one replacing the other. */
  pending: Map<string, Pending>;
  inFlight: boolean;
  /** A deferred flush (see `report`'s deferMs). */
  timer?: NodeJS.Timeout;
  /** A report that must not wait is queued: flush as soon as the write in flight is done. */
  urgent: boolean;
}

/**
 * Reports in one write. The API server refuses a JSON Patch of more than
 * 10,000 operations (a report is up to about a dozen), so a wide fan-out's
 * burst of results goes out in several writes instead of one refused forever.
 */
export const MAX_REPORTS_PER_WRITE = 200;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

/**
 * Writes a worker's task reports into DagInstance status. Writes to one
 * instance are serialized; whatever arrives while one is in flight goes out
 * together in the next patch, so a burst of results costs one write, not one
 * per task, while an idle instance is written at once (no added latency).
 * Failures other than the fence are retried until they land or the worker
 * stops: a result is never dropped silently.
 */
export class ReportWriter {
  readonly #custom: CustomObjectsApi;
  readonly #log: Logger;
  readonly #queues = new Map<string, InstanceQueue>();
  /** The phase each attempt will have once the queued writes land: the next write's precondition. */
  readonly #lastPhase = new Map<string, TaskPhase>();
  #stopped = false;

  constructor(custom: CustomObjectsApi, log: Logger) {
    this.#custom = custom;
    this.#log = log;
  }

  /**
   * Queues a report; resolves true once written, false if the attempt was no
   * longer ours. With `deferMs`, the write waits that long for company: a
   * Running report deferred a few milliseconds is merged with the result of a
   * short task instead of costing a write of its own, and the result does
   * not wait behind it. The phase written is the transition table's for the
   * event from the attempt's last report (TaskTransitionRefused if none).
   */
  report(instance: ObjectRef, r: AttemptReport, deferMs = 0): Promise<boolean> {
    // Nothing is written after stop(): a report queued now would never settle.
    if (this.#stopped) return Promise.resolve(false);
    const key = keyOf(instance);
    const attemptKey = `${key}/${r.task}/${r.attempt}`;
    const full = fenceReport(r, this.#lastPhase.get(attemptKey) ?? 'Scheduled');
    this.#lastPhase.set(attemptKey, full.set.phase);
    const queue: InstanceQueue = this.#queues.get(key) ?? {
      pending: new Map<string, Pending>(),
      inFlight: false,
      urgent: false,
    };
    this.#queues.set(key, queue);
    return new Promise<boolean>((resolve) => {
      const done = (applied: boolean): void => {
        if (!applied || !ACTIVE_TASK_PHASES.has(full.set.phase)) this.#lastPhase.delete(attemptKey);
        resolve(applied);
      };
      const pendingKey = `${r.attempt}/${r.task}`;
      const existing = queue.pending.get(pendingKey);
      if (existing) {
        existing.report = mergeReports(existing.report, full);
        existing.settle.push(done);
      } else {
        queue.pending.set(pendingKey, { report: full, settle: [done] });
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

  #kick(key: string, queue: InstanceQueue): void {
    if (queue.inFlight || queue.pending.size === 0 || this.#stopped) return;
    clearTimeout(queue.timer);
    queue.timer = undefined;
    queue.urgent = false;
    const batch: Pending[] = [];
    for (const [k, p] of queue.pending) {
      if (batch.length === MAX_REPORTS_PER_WRITE) break;
      batch.push(p);
      queue.pending.delete(k);
    }
    queue.inFlight = true;
    void this.#flush(key, batch, RETRY_MIN_MS).finally(() => {
      queue.inFlight = false;
      if (queue.pending.size === 0) this.#queues.delete(key);
      // Deferred reports keep waiting for their timer (which may have fired meanwhile).
      else if (queue.urgent || queue.timer === undefined) this.#kick(key, queue);
    });
  }

  /**
   * `retried`: an earlier try of this batch failed without an answer (a
   * timeout, a dropped connection, a 5xx), so it may have landed all the
   * same; then the retry is refused by its own fence (the phase has moved on)
   * and must not be taken for a reassigned attempt.
   */
  async #flush(key: string, batch: Pending[], delayMs: number, retried = false): Promise<void> {
    this.#log.debug(
      { instance: key, reports: batch.map((p) => `${p.report.task}:${p.report.set.phase}`) },
      'writing reports',
    );
    const outcome = await this.#patch(
      key,
      batch.map((p) => p.report),
    );
    if (outcome === 'applied' || outcome === 'gone') {
      for (const p of batch) for (const s of p.settle) s(outcome === 'applied');
      return;
    }
    if (outcome === 'fenced' && batch.length > 1) {
      // One attempt in the batch is no longer ours: write each alone to find it.
      for (const p of batch) await this.#flush(key, [p], delayMs, retried);
      return;
    }
    if (outcome === 'fenced' && batch[0]) {
      await this.#refusedAlone(key, batch[0], delayMs, retried);
      return;
    }
    await this.#retry(key, batch, delayMs);
  }

  /** A report refused on its own: its attempt is no longer ours, unless an earlier try landed. */
  async #refusedAlone(key: string, p: Pending, delayMs: number, retried: boolean): Promise<void> {
    const landed = retried ? await this.#landed(key, p.report) : 'no';
    if (landed === 'retry') {
      await this.#retry(key, [p], delayMs);
      return;
    }
    if (landed === 'no') {
      this.#log.warn({ instance: key, task: p.report.task }, 'report refused: attempt reassigned');
    }
    for (const s of p.settle) s(landed === 'yes');
  }

  async #retry(key: string, batch: Pending[], delayMs: number): Promise<void> {
    if (this.#stopped) {
      for (const p of batch) for (const s of p.settle) s(false);
      return;
    }
    await new Promise((r) => setTimeout(r, delayMs));
    await this.#flush(key, batch, Math.min(delayMs * 2, RETRY_MAX_MS), true);
  }

  /**
   * Whether a report's write already landed: the entry is still our attempt
   * and has the phase the report sets (only this worker writes that phase for
   * this attempt). Asked with a patch that changes nothing.
   */
  async #landed(key: string, r: TaskReport): Promise<'yes' | 'no' | 'retry'> {
    const check: TaskReport = { ...r, expect: r.set.phase, set: { phase: r.set.phase } };
    const outcome = await this.#patch(key, [check]);
    if (outcome === 'applied') return 'yes';
    return outcome === 'retry' ? 'retry' : 'no';
  }

  async #patch(
    key: string,
    reports: TaskReport[],
  ): Promise<'applied' | 'fenced' | 'gone' | 'retry'> {
    try {
      await this.#custom.patchNamespacedCustomObjectStatus(
        {
          ...instanceResource,
          ...refOf(key),
          fieldManager: STATUS_FIELD_MANAGER,
          body: reportOps(reports),
        },
        jsonPatchOptions,
      );
      return 'applied';
    } catch (e) {
      const err = toKubeError(e);
      if (isNotFound(err)) return 'gone';
      if (isInvalid(err)) return 'fenced';
      this.#log.warn({ instance: key, err: String(err) }, 'report write failed; retrying');
      return 'retry';
    }
  }
}
