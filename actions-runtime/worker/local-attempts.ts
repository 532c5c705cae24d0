import { ACTIVE_TASK_PHASES, type DagInstanceStatus } from '../../operator/api/dag-instance.ts';

/** One attempt this worker has taken on. */
export interface LocalAttempt {
  readonly namespace: string;
  readonly instance: string;
  readonly task: string;
  readonly attempt: number;
  readonly dagRevision: string;
  /** Pre-assigned: the parent's attempt key; it starts once that attempt succeeds (chain-starts.ts). */
  readonly after?: string;
  /** Pre-assigned behind a switch: the cases that start it (switch-pick.ts). */
  readonly afterCase?: { switch: string; cases: readonly string[] };
  readonly abort: AbortController;
  state: 'queued' | 'running' | 'done';
}

export type AttemptChange =
  { type: 'start'; attempt: LocalAttempt } | { type: 'abort'; attempt: LocalAttempt; why: string };

/**
 * The attempts this worker knows, and what a new view of an instance means
 * for them: start the attempts newly assigned to us, abort the ones taken
 * away from us, forget the ones whose final report is visible. Keeping a
 * finished attempt until its report shows up is what stops a stale watch
 * event (still saying Scheduled) from running the task a second time.
 */
export class LocalAttempts {
  readonly #worker: string;
  readonly #attempts = new Map<string, LocalAttempt>();

  constructor(worker: string) {
    this.#worker = worker;
  }

  get size(): number {
    return this.#attempts.size;
  }

  all(): LocalAttempt[] {
    return [...this.#attempts.values()];
  }

  /** Reconciles our attempts with the instance as the watch shows it now. */
  observe(
    namespace: string,
    instance: string,
    status: DagInstanceStatus | undefined,
  ): AttemptChange[] {
    return [
      ...this.#settle(namespace, instance, status),
      ...this.#newlyAssigned(namespace, instance, status),
    ];
  }

  /** Attempts no longer ours are aborted, or forgotten once finished. */
  #settle(
    namespace: string,
    instance: string,
    status: DagInstanceStatus | undefined,
  ): AttemptChange[] {
    const changes: AttemptChange[] = [];
    for (const [key, a] of this.#attempts) {
      if (a.namespace !== namespace || a.instance !== instance) continue;
      const entry = status?.tasks?.[a.task];
      const ours =
        entry?.worker === this.#worker &&
        entry.attempt === a.attempt &&
        ACTIVE_TASK_PHASES.has(entry.phase);
      if (ours) continue;
      if (a.state === 'done') this.#attempts.delete(key);
      else
        changes.push({ type: 'abort', attempt: a, why: 'the attempt is no longer assigned here' });
    }
    return changes;
  }

  #newlyAssigned(
    namespace: string,
    instance: string,
    status: DagInstanceStatus | undefined,
  ): AttemptChange[] {
    const changes: AttemptChange[] = [];
    const dagRevision = status?.dagRevision;
    if (!dagRevision) return changes;
    for (const [task, entry] of Object.entries(status.tasks ?? {})) {
      if (entry.worker !== this.#worker || entry.phase !== 'Scheduled' || !entry.attempt) continue;
      const key = `${namespace}/${instance}/${task}/${entry.attempt}`;
      if (this.#attempts.has(key)) continue;
      const attempt: LocalAttempt = {
        namespace,
        instance,
        task,
        attempt: entry.attempt,
        dagRevision,
        ...(entry.after !== undefined ? { after: entry.after } : {}),
        ...(entry.afterCase !== undefined ? { afterCase: entry.afterCase } : {}),
        abort: new AbortController(),
        state: 'queued',
      };
      this.#attempts.set(key, attempt);
      changes.push({ type: 'start', attempt });
    }
    return changes;
  }

  /** The instance is gone: every attempt of it stops. */
  forgetInstance(namespace: string, instance: string): LocalAttempt[] {
    const gone: LocalAttempt[] = [];
    for (const [key, a] of this.#attempts) {
      if (a.namespace === namespace && a.instance === instance) {
        this.#attempts.delete(key);
        gone.push(a);
      }
    }
    return gone;
  }
}
