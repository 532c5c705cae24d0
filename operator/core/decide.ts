import { instanceFinished, type TaskStatus } from '../api/dag-instance.ts';
import type { ControlStatus } from '../api/control-status.ts';
import { controlStatusOf, decideControl, decideWaiting } from './control/dispatch.ts';
import { parentsDone } from './control/optional.ts';
import { branchNotTaken } from './control/switch.ts';
import { lookAhead, settleSwitchBranch } from './switch-look-ahead.ts';
import { DEADLINE_STOP, failUnfinished } from './fail-unfinished.ts';
import { summarize } from './instance-summary.ts';
import { applyOperations } from './instance-operations.ts';
import { evaluatePreCheck } from './prechecks.ts';
import * as chain from './pre-assign.ts';
import { earliest } from './duration.ts';
import {
  carriedToNextAttempt,
  lostWorkerNote,
  retryDelayMs,
  shouldRetry,
  workerToAvoid,
} from './retry.ts';
import { transition } from './task-transitions.ts';
import { watchTimeouts, type Watched } from './task-timeouts.ts';
import { WorkerPool } from './worker-pool.ts';
import { labelledWorkers } from './worker-labels.ts';
import { PlacementHints, parentWorker } from './placement.ts';
import { withSetVars } from './vars.ts';
import { isWaitingToBePlaced, notPlaced } from './action-slots.ts';
import type { Assignment, Decision, DecideInput } from './decide-types.ts';
import { allKeys, loopOf, specOf } from './grown-graph.ts';

export { instancePhase } from './instance-summary.ts';

export type { Assignment, Decision, DecideInput } from './decide-types.ts';

/**
 * The whole scheduling decision for one instance: a pure function of (Dag
 * graph, current status, live workers, now, pending operations). It applies
 * the operations asked for, enforces the deadline, turns failed attempts into
 * retries under the task's policy, evaluates preChecks of tasks that become
 * ready, assigns every ready task to a worker, moves tasks of lost workers to
 * a new attempt, and derives the instance phase. Running it on its own output
 * changes nothing, which is what makes a reconcile safe to repeat after a
 * crash at any line.
 */
export function decide(input: DecideInput): Decision {
  const { graph, status, now } = input;
  const finished = instanceFinished(status.phase);
  const pastDeadline = input.deadline !== undefined && now >= input.deadline;
  // Past the deadline nothing may run again: every operation is refused.
  const ops = applyOperations(input, pastDeadline ? DEADLINE_STOP.message : undefined);
  const { tasks, status: base } = ops;
  // The status as operations left it (a restart clears a terminate's end); the vars tasks read.
  const run = { ...input, status: base, vars: withSetVars(ops.vars, base) };
  // Paused, nothing new starts: not even a step pre-assigned behind a running task.
  const step = new Step(run, chain.voidPreAssignments(tasks, run, ops.paused), ops.paused);
  if (!pastDeadline) {
    step.visitAll(graph.order);
    lookAhead(run, step, ops.paused);
  } else if (!finished) {
    // Fails what could still run, and schedules, retries and reassigns nothing:
    // the same pass must not start what the next one would fail.
    step.tasks = failUnfinished(tasks, allKeys(graph, tasks), DEADLINE_STOP, now, (id, t) =>
      parentsDone(graph, t, id),
    );
  }
  const decided = { ...base, ...step.control };
  const summary = { graph, status: decided, generation: input.generation, now, held: step.held };
  const next = summarize(summary, step.tasks, [...step.waitingFor]);
  const wakeAt = earliest([step.wakeAt, pastDeadline ? undefined : input.deadline]);
  return {
    status: next,
    assigned: step.assigned,
    waitingFor: [...step.waitingFor],
    ...(wakeAt ? { wakeAt } : {}),
  };
}

/** One pass over the tasks in topological order, so a task sees its parents' new states. */
class Step {
  tasks: Record<string, TaskStatus>;
  readonly assigned: Assignment[] = [];
  readonly waitingFor = new Set<string>();
  wakeAt: Date | undefined;
  /** A ready task was held by a pause: the instance has not finished. */
  held = false;
  /** What system tasks write on the instance, and the vars as tasks read them now. */
  control: ControlStatus;
  vars: Record<string, string>;
  readonly #in: DecideInput;
  readonly #pool: WorkerPool;
  readonly #hints: PlacementHints;
  /** Paused: nothing new starts (no first attempt, no retry); running attempts go on. */
  readonly #paused: boolean;

  constructor(input: DecideInput, tasks: Record<string, TaskStatus>, paused: boolean) {
    this.#in = input;
    this.tasks = tasks;
    this.control = controlStatusOf(input.status);
    this.vars = { ...input.vars };
    // The instance's tasks pack onto the workers that already hold some (placement.ts).
    this.#pool = new WorkerPool(input.workers, input.actionSlots, labelledWorkers({ tasks }));
    this.#hints = new PlacementHints(input.graph, tasks);
    this.#paused = paused;
  }

  /** Once a terminate task has ended the instance, nothing moves; a loop visits its body. */
  visitAll(order: readonly string[]): void {
    for (const id of order) {
      if (!this.control.terminated && !loopOf(this.#in.graph, id)) this.visit(id);
    }
  }

  /** A key the Dag does not hold, visited by the system task that grew it (grown-graph.ts). */
  grow(key: string, ready: boolean): void {
    this.visit(key, ready);
  }

  visit(id: string, ready?: boolean): void {
    const settled = settleSwitchBranch(this.#in.graph, this.tasks, id, this.#in.now);
    if (settled) this.tasks[id] = settled;
    const current = this.tasks[id];
    switch (current?.phase) {
      case 'Scheduled':
      case 'Running':
        this.#inFlight(id, current);
        return;
      case 'Failed':
        this.#maybeRetry(id, current);
        return;
      case 'Retrying':
        this.#retryWhenDue(id, current);
        return;
      case undefined:
      case 'Pending':
        if (ready ?? parentsDone(this.#in.graph, this.tasks, id)) this.#start(id, current);
        return;
      case 'Succeeded':
      case 'Skipped':
      case 'Blocked':
      case 'Canceled':
        return;
    }
  }

  /** One on no worker waits (a wait, an approval, a child); on a lost worker moves on; else is watched. */
  #inFlight(id: string, current: TaskStatus): void {
    if (!current.worker) this.#retryFailed(id, decideWaiting(this.#in, this, id, current));
    else if (!this.#pool.isLive(current.worker)) this.#reassign(id, current);
    else this.#watch(id, watchTimeouts(specOf(this.#in.graph, id), current, this.#in.now));
  }

  /**
   * A ready task: its preCheck may skip or block it; otherwise it goes to a
   * worker. One waiting for a worker has passed its checks already (perhaps
   * in the pass that lost its worker, which placed it without them): they
   * are not evaluated again, so the next pass decides as this one did.
   */
  #start(id: string, current: TaskStatus | undefined): void {
    const notTaken = branchNotTaken(this.#in.graph, this.tasks, id, this.#in.now);
    if (notTaken) return void (this.tasks[id] = notTaken);
    if (this.#paused) {
      this.held = true;
      return;
    }
    const spec = specOf(this.#in.graph, id);
    const waiting = isWaitingToBePlaced(current);
    const verdict =
      !waiting &&
      evaluatePreCheck(
        spec?.preCheck,
        { vars: this.vars, shareData: this.#in.shareData ?? {} },
        current?.continued ?? false,
      );
    if (verdict) {
      const skipped = verdict.act === 'skip';
      this.tasks[id] = transition(current, skipped ? 'SkipCheckHeld' : 'BlockCheckHeld', {
        ...current,
        reason: 'PreCheck',
        message: `${skipped ? 'skipped' : 'blocked'} by preCheck "${verdict.check}"`,
        ...(skipped ? { finishedAt: this.#in.now.toISOString() } : {}),
      });
      return;
    }
    this.#place(id, (current?.attempt ?? 0) + 1, current);
  }

  /** The worker holding the task is gone: the next attempt goes elsewhere. */
  #reassign(id: string, current: TaskStatus): void {
    const attempt = current.attempt ?? 1;
    const lost: TaskStatus = {
      ...current,
      reason: 'WorkerLost',
      message: `worker ${current.worker} was lost`,
    };
    const ready = transition(current, 'WorkerLost', carriedToNextAttempt(lost, 'Failed'));
    this.#place(id, attempt + 1, ready);
  }

  /** Schedule-to-start and heartbeat timeouts: an expired attempt goes the way of a failed one. */
  #watch(id: string, watched: Watched): void {
    this.tasks[id] = watched.entry;
    this.wakeAt = earliest([this.wakeAt, watched.wakeAt]);
    if (watched.entry.phase === 'Failed') this.#maybeRetry(id, watched.entry);
  }

  #maybeRetry(id: string, current: TaskStatus): void {
    const policy = specOf(this.#in.graph, id)?.retry;
    if (!shouldRetry(policy, current) || policy === undefined) return;
    // The backoff counts from when this operator saw the failure, on its own
    // clock: the worker's finishedAt comes from another clock (skew).
    const retryAt = new Date(this.#in.now.getTime() + retryDelayMs(policy, current.attempt ?? 1));
    this.tasks[id] = transition(current, 'RetryAllowed', {
      ...carriedToNextAttempt(current),
      retryAt: retryAt.toISOString(),
      message: `attempt ${current.attempt ?? 1} failed; retrying at ${retryAt.toISOString()}`,
    });
    this.#retryWhenDue(id, this.tasks[id]);
  }

  #retryWhenDue(id: string, current: TaskStatus): void {
    if (this.#paused) return;
    const at = current.retryAt ? new Date(current.retryAt) : this.#in.now;
    if (at > this.#in.now) {
      this.wakeAt = earliest([this.wakeAt, at]);
      return;
    }
    this.#place(id, (current.attempt ?? 1) + 1, transition(current, 'RetryDue', current));
  }

  /** A system task (control/) is decided here, on no worker; if it failed, retried now. */
  #system(id: string, attempt: number, from: TaskStatus | undefined): boolean {
    return this.#retryFailed(id, decideControl(this.#in, this, id, attempt, from));
  }

  #retryFailed(id: string, decided: boolean): boolean {
    const entry = this.tasks[id];
    if (decided && entry?.phase === 'Failed') this.#maybeRetry(id, entry);
    return decided;
  }

  /**
   * Gives the task to its parent's worker while it has room, else packs it
   * onto the instance's workers (worker-pool.ts), or
   * leaves it Pending saying which action it waits for. History and the
   * continued flag travel with the task from attempt to attempt.
   */
  #place(id: string, attempt: number, from: TaskStatus | undefined): void {
    if (this.#system(id, attempt, from)) return;
    const spec = specOf(this.#in.graph, id);
    const action = spec?.actionName ?? '';
    const keep = from ? chain.keptAcrossPlacements(from) : {};
    const note = lostWorkerNote(from, attempt);
    const { graph } = this.#in;
    const prefer = chain.chainWorker(graph, this.tasks, id) ?? parentWorker(graph, this.tasks, id);
    const avoid = workerToAvoid(from, attempt);
    const typicalMs = this.#hints.typicalMs(id);
    const worker = this.#pool.pick(action, { prefer, avoid, typicalMs });
    if (worker) {
      this.tasks[id] = transition(from, 'Assigned', {
        worker,
        attempt,
        scheduledAt: this.#in.now.toISOString(),
        ...keep,
        ...(note ? { message: note } : {}),
      });
      this.assigned.push({ task: id, worker, attempt });
      this.#watch(id, watchTimeouts(spec, this.tasks[id], this.#in.now));
      return;
    }
    const why = notPlaced(action, this.#pool.limitNote(action), note);
    if (why.reason === 'NoWorkerForAction') this.waitingFor.add(action);
    this.tasks[id] = transition(from, why.reason, {
      ...(attempt > 1 ? { attempt: attempt - 1 } : {}),
      ...keep,
      ...why,
    });
  }
}
