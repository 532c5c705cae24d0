/**
 * What a DagSchedule does now: the pure decision of the schedule reconciler.
 * Given the schedule, its runs and the time, it says which runs to start (by
 * due time: the caller names each `<schedule>-<unix time>`, so that no due
 * time is ever started twice), which to cancel (Replace), which finished ones
 * to delete (history limits), the status to write and when to look again.
 */
import { instanceFinished, type InstancePhase } from '../api/dag-instance.ts';
import {
  DEFAULT_FAILED_RUNS_KEPT,
  DEFAULT_SUCCESSFUL_RUNS_KEPT,
  MAX_LISTED_ACTIVE,
  type DagScheduleSpec,
  type DagScheduleStatus,
} from '../api/dag-schedule.ts';
import { findCondition, setCondition } from './conditions.ts';
import { planInstanceGc, type FinishedInstance } from './instance-gc.ts';
import { isScheduleProblem, readSchedule, type ScheduleTimes } from './schedule-times.ts';

/** One DagInstance the schedule started (found by its label), as the decision needs it. */
export interface ScheduleRun {
  name: string;
  /** When it was due (its scheduled-time annotation); unset for a run triggered by hand. */
  due?: Date;
  phase?: InstancePhase;
  finishTime?: string;
  /** Its cancel annotation already holds the value Replace sets. */
  cancelAsked?: boolean;
  /** Set when it has finished and the operator is done with it (core/instance-gc.ts). */
  finished?: FinishedInstance;
}

export interface ScheduleInput {
  spec: DagScheduleSpec;
  status: DagScheduleStatus | undefined;
  generation: number;
  /** The schedule's creationTimestamp: nothing before it is due. */
  createdAt: Date;
  runs: readonly ScheduleRun[];
  dagExists: boolean;
  now: Date;
  /** The name of the run due at a time (deterministic). */
  nameOf: (due: Date) => string;
}

export interface ScheduleEvent {
  type: 'Normal' | 'Warning';
  reason: 'MissedRuns' | 'InvalidSchedule';
  note: string;
}

export interface SchedulePlan {
  /** Runs to start, oldest first. */
  start: { name: string; due: Date }[];
  /** Unfinished runs to cancel (Replace), by name. */
  cancel: string[];
  /** Finished runs beyond the history limits, by name. */
  delete: string[];
  status: DagScheduleStatus;
  /** Due runs counted as missed in this pass. */
  missed: number;
  /** To record once the status is written (so a retried pass does not repeat them). */
  events: ScheduleEvent[];
  /** When the next run is due; undefined: nothing to wake for (a watched change will). */
  wakeAt?: Date;
}

type Verdict = { ready: boolean; reason: string; message: string };

/** The decision for one pass; see the file comment. */
export function decideSchedule(input: ScheduleInput): SchedulePlan {
  const { spec, now } = input;
  const times = readSchedule(spec.schedule, spec.timeZone, now);
  if (isScheduleProblem(times)) return held(input, { ready: false, ...times }, undefined);
  if (!input.dagExists) {
    const message = `Dag ${JSON.stringify(spec.dagRef.name)} not found: no run starts until it exists`;
    return held(input, { ready: false, reason: 'DagNotFound', message }, times.next(now));
  }
  if (spec.suspend) {
    const message = 'suspended: no run starts; when resumed, missed runs are caught up (catchUp)';
    return held(input, { ready: true, reason: 'Suspended', message }, undefined);
  }
  return decideRuns(input, times);
}

/** No run starts (bad input, no Dag, suspended): the cursor stays where it is. */
function held(input: ScheduleInput, verdict: Verdict, next: Date | undefined): SchedulePlan {
  const events: ScheduleEvent[] = [];
  const before = findCondition(input.status?.conditions, 'Ready');
  if (!verdict.ready && before?.message !== verdict.message) {
    events.push({ type: 'Warning', reason: 'InvalidSchedule', note: verdict.message });
  }
  const status = statusOf(input, verdict, [], 0, input.status?.caughtUpTo, next);
  return {
    start: [],
    cancel: [],
    delete: historyToDelete(input, status),
    status,
    missed: 0,
    events,
  };
}

function decideRuns(input: ScheduleInput, times: ScheduleTimes): SchedulePlan {
  const { spec, status, now, nameOf } = input;
  const cursor = status?.caughtUpTo ? new Date(status.caughtUpTo) : input.createdAt;
  const window = times.window(cursor, now, 1 + (spec.catchUp?.maxRuns ?? 0));
  const due = window.newest;
  const deadlineMs = (spec.startingDeadlineSeconds ?? Infinity) * 1000;
  const inTime = due.filter((t) => now.getTime() - t.getTime() <= deadlineMs);
  const existing = new Set(input.runs.map((r) => r.name));
  const isNew = (t: Date): boolean => !existing.has(nameOf(t));
  const active = input.runs.filter((r) => !instanceFinished(r.phase));
  const newestDue = due.at(-1);

  const { start, cancel, handledTo } = applyPolicy(spec.concurrencyPolicy ?? 'Allow', {
    inTime,
    isNew,
    active,
    nameOf,
    handledTo: newestDue ?? cursor,
  });
  // Forbid may leave runs waiting: count only what this pass is done with.
  const handled = handledTo === (newestDue ?? cursor) ? window : times.window(cursor, handledTo, 0);
  const kept = inTime.filter((t) => t <= handledTo && !isNew(t)).length + start.length;
  const missed = Math.max(0, handled.count - kept);
  const events: ScheduleEvent[] = [];
  if (missed > 0) {
    events.push({
      type: 'Warning',
      reason: 'MissedRuns',
      note: missedNote(spec, missed, handled.capped, cursor, handledTo),
    });
  }
  const started = start.map((t) => ({ name: nameOf(t), due: t }));
  const verdict = {
    ready: true,
    reason: 'Scheduled',
    message: 'the schedule is valid and its Dag exists',
  };
  const next = times.next(now);
  const written = statusOf(input, verdict, started, missed, handledTo.toISOString(), next);
  return {
    start: started,
    cancel,
    delete: historyToDelete(input, written),
    status: written,
    missed,
    events,
    ...(next ? { wakeAt: next } : {}),
  };
}

interface PolicyInput {
  /** Due times within the window and the deadline, oldest first. */
  inTime: Date[];
  isNew: (t: Date) => boolean;
  active: ScheduleRun[];
  nameOf: (t: Date) => string;
  /** The cursor if every due time is dealt with. */
  handledTo: Date;
}

/** Which due runs start, which runs are canceled, and how far the cursor goes. */
function applyPolicy(
  policy: NonNullable<DagScheduleSpec['concurrencyPolicy']>,
  p: PolicyInput,
): { start: Date[]; cancel: string[]; handledTo: Date } {
  if (policy === 'Allow')
    return { start: p.inTime.filter(p.isNew), cancel: [], handledTo: p.handledTo };
  if (policy === 'Replace') {
    const last = p.inTime.at(-1);
    if (!last) return { start: [], cancel: [], handledTo: p.handledTo };
    const keep = p.nameOf(last);
    return {
      start: p.isNew(last) ? [last] : [],
      cancel: p.active.filter((r) => r.name !== keep && !r.cancelAsked).map((r) => r.name),
      handledTo: p.handledTo,
    };
  }
  // Forbid: one at a time, oldest first; the others wait (bounded by the window and the deadline).
  const waiting = p.inTime.filter(p.isNew);
  const first = waiting[0];
  if (!first) return { start: [], cancel: [], handledTo: p.handledTo };
  if (p.active.length > 0)
    return { start: [], cancel: [], handledTo: new Date(first.getTime() - 1) };
  return { start: [first], cancel: [], handledTo: waiting.length > 1 ? first : p.handledTo };
}

function missedNote(
  spec: DagScheduleSpec,
  missed: number,
  capped: boolean,
  from: Date,
  to: Date,
): string {
  const why = [
    `catchUp.maxRuns ${spec.catchUp?.maxRuns ?? 0}`,
    ...(spec.startingDeadlineSeconds
      ? [`startingDeadlineSeconds ${spec.startingDeadlineSeconds}`]
      : []),
    ...(spec.concurrencyPolicy === 'Replace' ? ['concurrencyPolicy Replace'] : []),
  ].join(', ');
  return (
    `${capped ? 'more than ' : ''}${missed} run(s) due after ${from.toISOString()} up to ` +
    `${to.toISOString()} not started (${why})`
  );
}

function statusOf(
  input: ScheduleInput,
  verdict: Verdict,
  started: readonly { name: string; due: Date }[],
  missed: number,
  caughtUpTo: string | undefined,
  next: Date | undefined,
): DagScheduleStatus {
  const prev = input.status ?? {};
  const active = [
    ...input.runs.filter((r) => !instanceFinished(r.phase)).map((r) => r.name),
    ...started.map((s) => s.name),
  ].sort();
  const lastStarted = started.at(-1)?.due.toISOString();
  const lastScheduleTime = [prev.lastScheduleTime, lastStarted].filter(isSet).sort().at(-1);
  const succeeded = input.runs.filter((r) => r.phase === 'Succeeded').map((r) => r.finishTime);
  const lastSuccessfulTime = [prev.lastSuccessfulTime, ...succeeded].filter(isSet).sort().at(-1);
  return {
    observedGeneration: input.generation,
    ...(caughtUpTo ? { caughtUpTo } : {}),
    ...(lastScheduleTime ? { lastScheduleTime } : {}),
    ...(next ? { nextScheduleTime: next.toISOString() } : {}),
    ...(lastSuccessfulTime ? { lastSuccessfulTime } : {}),
    ...(active.length > 0 ? { active: active.slice(0, MAX_LISTED_ACTIVE) } : {}),
    activeCount: active.length,
    missedRuns: (prev.missedRuns ?? 0) + missed,
    conditions: setCondition(
      prev.conditions,
      {
        type: 'Ready',
        status: verdict.ready ? 'True' : 'False',
        reason: verdict.reason,
        message: verdict.message,
        observedGeneration: input.generation,
      },
      input.now,
    ),
  };
}

const isSet = (s: string | undefined): s is string => s !== undefined;

/**
 * Finished runs beyond the schedule's history limits (newest kept). A run due
 * after the cursor being written is kept whatever the limits: its name is
 * what says it was started (a pass whose status write was lost), so deleting
 * it would let a later pass start that due time again.
 */
function historyToDelete(input: ScheduleInput, written: DagScheduleStatus): string[] {
  const cursor = new Date(written.caughtUpTo ?? input.createdAt);
  const finished = input.runs.flatMap((r) =>
    r.finished && !(r.due && r.due > cursor) ? [r.finished] : [],
  );
  const plan = planInstanceGc(
    finished,
    {
      successfulInstancesHistoryLimit:
        input.spec.successfulRunsHistoryLimit ?? DEFAULT_SUCCESSFUL_RUNS_KEPT,
      failedInstancesHistoryLimit: input.spec.failedRunsHistoryLimit ?? DEFAULT_FAILED_RUNS_KEPT,
    },
    0,
    input.now,
  );
  return plan.delete.filter((d) => d.reason === 'HistoryLimit').map((d) => d.key);
}
