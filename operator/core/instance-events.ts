import type { DagStatus } from '../api/dag.ts';
import {
  ACTIVE_TASK_PHASES,
  instanceFinished,
  type DagInstanceStatus,
  type TaskStatus,
} from '../api/dag-instance.ts';
import type { OperationName } from '../api/names.ts';
import { findCondition } from './conditions.ts';

/** Every reason an Event of fastflow's can carry: a closed set (a metrics label). */
export const EVENT_REASONS = [
  'Started',
  'TaskFailed',
  'TaskReassigned',
  'TaskRetrying',
  'Succeeded',
  'Failed',
  'Canceled',
  'InvalidDag',
  'OperationApplied',
  'OperationRefused',
  'OnFailureStarted',
  'OnExitStarted',
] as const;
export type EventReason = (typeof EVENT_REASONS)[number];

/** One Kubernetes Event to record about an object, before it has a name and a time. */
export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: EventReason;
  /** What the operator did or saw (events.k8s.io/v1 `action`). */
  action: 'Start' | 'RunTask' | 'Reassign' | 'Finish' | 'Validate' | OperationAction;
  /** Human-readable; the recorder cuts it to the API's 1 KiB. */
  note: string;
}

/** How many tasks one Event names before it says "and N more". */
const LISTED = 5;

/**
 * The Events one change of a DagInstance's status deserves, from the status
 * before and after it: the instance started, tasks failed, tasks were taken
 * from a lost worker, the instance finished. Equal statuses give none, so an
 * Event is recorded once per transition, never once per reconcile. Tasks that
 * fail (or are moved) in the same change share one Event.
 */
export function instanceEvents(
  before: DagInstanceStatus,
  after: DagInstanceStatus,
): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  if (!before.dagRevision && after.dagRevision) {
    events.push({
      type: 'Normal',
      reason: 'Started',
      action: 'Start',
      note: `started from Dag snapshot ${after.dagRevision}`,
    });
  }
  for (const kind of TASK_EVENTS) {
    const lines = changedTasks(before, after, kind.change);
    if (lines.length > 0) {
      const { type, reason, action, what } = kind;
      events.push({ type, reason, action, note: listed(what, lines) });
    }
  }
  events.push(...operationEvents(before, after));
  const finished = finishEvent(before, after);
  if (finished) events.push(finished);
  if (after.onFailureInstance && !before.onFailureInstance) {
    const note = `started onFailure instance ${after.onFailureInstance}`;
    events.push({ type: 'Normal', reason: 'OnFailureStarted', action: 'Start', note });
  }
  if (after.onExitInstance && !before.onExitInstance) {
    const note = `started onExit instance ${after.onExitInstance}`;
    events.push({ type: 'Normal', reason: 'OnExitStarted', action: 'Start', note });
  }
  return events;
}

/** The Events about tasks: which change of a task each records, and how it reads. */
const TASK_EVENTS: ReadonlyArray<
  Omit<PlannedEvent, 'note'> & { change: TaskChange; what: string }
> = [
  {
    type: 'Warning',
    reason: 'TaskReassigned',
    action: 'Reassign',
    what: 'taken from a lost worker',
    change: (was, now) => reassignment(was, now),
  },
  {
    type: 'Warning',
    reason: 'TaskFailed',
    action: 'RunTask',
    what: 'failed',
    change: (was, now) => failure(was, now),
  },
  {
    type: 'Normal',
    reason: 'TaskRetrying',
    action: 'Retry',
    what: 'will be retried',
    change: (was, now) => retry(was, now),
  },
];

const OPERATION_ACTIONS = {
  cancel: 'Cancel',
  retry: 'Retry',
  continue: 'Continue',
  skip: 'Skip',
  rerun: 'Rerun',
  restart: 'Restart',
  pause: 'Pause',
  resume: 'Resume',
  signal: 'Signal',
} as const satisfies Record<OperationName | 'signal', string>;
type OperationAction = (typeof OPERATION_ACTIONS)[keyof typeof OPERATION_ACTIONS];

/** Each operation acted on leaves one Event: applied, or refused with the reason. */
function operationEvents(before: DagInstanceStatus, after: DagInstanceStatus): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  for (const name of Object.keys(OPERATION_ACTIONS) as (keyof typeof OPERATION_ACTIONS)[]) {
    const record = after.operations?.[name];
    if (!record || before.operations?.[name]?.value === record.value) continue;
    const applied = record.result === 'Applied';
    events.push({
      type: applied ? 'Normal' : 'Warning',
      reason: applied ? 'OperationApplied' : 'OperationRefused',
      action: OPERATION_ACTIONS[name],
      note: `${record.message} (fastflow.io/${name}=${record.value}${record.by ? ` by ${record.by}` : ''})`,
    });
  }
  return events;
}

/**
 * The Event of a Dag whose validation fails: when its Valid condition turns
 * False, or stays False for a different reason (the user edited it and it is
 * still wrong). A Dag that stays valid, or unchanged, gives none.
 */
export function dagEvents(before: DagStatus, after: DagStatus): PlannedEvent[] {
  const now = findCondition(after.conditions, 'Valid');
  if (now?.status !== 'False') return [];
  const was = findCondition(before.conditions, 'Valid');
  if (was?.status === 'False' && was.reason === now.reason && was.message === now.message) {
    return [];
  }
  return [
    {
      type: 'Warning',
      reason: 'InvalidDag',
      action: 'Validate',
      note: `${now.reason}: ${now.message}`,
    },
  ];
}

function finishEvent(
  before: DagInstanceStatus,
  after: DagInstanceStatus,
): PlannedEvent | undefined {
  const phase = after.phase;
  if (!phase || !instanceFinished(phase)) return undefined;
  if (instanceFinished(before.phase)) return undefined;
  const reason: EventReason =
    phase === 'Succeeded' ? 'Succeeded' : phase === 'Failed' ? 'Failed' : 'Canceled';
  const why = findCondition(after.conditions, 'Succeeded')?.reason;
  const prefix = phase !== 'Succeeded' && why ? `${why}: ` : '';
  const took = after.duration ? ` (after ${after.duration})` : '';
  return {
    type: phase === 'Failed' ? 'Warning' : 'Normal',
    reason,
    action: 'Finish',
    note: `${prefix}${after.message ?? phase.toLowerCase()}${took}`,
  };
}

/** One task's change: its id and the detail shown after it. */
type Line = { id: string; detail: string };
/** Describes one task's change, or undefined when the change is not of that kind. */
type TaskChange = (was: TaskStatus | undefined, now: TaskStatus) => string | undefined;

function changedTasks(
  before: DagInstanceStatus,
  after: DagInstanceStatus,
  kind: TaskChange,
): Line[] {
  const lines: Line[] = [];
  for (const id of Object.keys(after.tasks ?? {}).sort()) {
    const now = after.tasks?.[id];
    const was = before.tasks?.[id];
    if (now === undefined || now === was) continue;
    const detail = kind(was, now);
    if (detail !== undefined) lines.push({ id, detail });
  }
  return lines;
}

/**
 * An attempt that has just failed (not one that was already Failed before):
 * Failed now, or, retried within the same change, recorded Failed in history.
 */
const failure: TaskChange = (was, now) => {
  const ended = now.phase === 'Failed' ? now : failedSince(was, now);
  if (ended === undefined) return undefined;
  if (was?.phase === 'Failed' && was.attempt === ended.attempt) return undefined;
  return failureDetail(ended);
};

/** The record of `was`'s running attempt when `now` shows it Failed in history (retried at once). */
function failedSince(
  was: TaskStatus | undefined,
  now: TaskStatus,
): Pick<TaskStatus, 'attempt' | 'reason' | 'message'> | undefined {
  if (!was || !ACTIVE_TASK_PHASES.has(was.phase) || now.attempt === was.attempt) return undefined;
  const record = now.history?.find((h) => h.attempt === (was.attempt ?? 1));
  return record?.phase === 'Failed' && record.reason !== 'WorkerLost' ? record : undefined;
}

function failureDetail(now: Pick<TaskStatus, 'attempt' | 'reason' | 'message'>): string {
  const message =
    now.message && now.message.length > 200 ? `${now.message.slice(0, 199)}…` : now.message;
  const parts = [
    now.attempt ? `attempt ${now.attempt}` : undefined,
    [now.reason, message].filter(Boolean).join(': ') || undefined,
  ].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** A failed attempt that the task's retry policy follows with another. */
const retry: TaskChange = (was, now) => {
  if (now.phase !== 'Retrying' || was?.phase === 'Retrying') return undefined;
  return ` (attempt ${(now.attempt ?? 1) + 1} at ${now.retryAt ?? 'once due'})`;
};

/** A task the operator took from the worker that held it: a new attempt, or waiting for one. */
const reassignment: TaskChange = (was, now) => {
  if (!was?.worker || !ACTIVE_TASK_PHASES.has(was.phase)) return undefined;
  if (now.phase !== 'Scheduled' && now.phase !== 'Pending') return undefined;
  if (now.worker === was.worker && now.attempt === was.attempt) return undefined;
  // An attempt that failed (a timeout) and was retried at once was not taken from its worker.
  if (failedSince(was, now)) return undefined;
  const to =
    now.phase === 'Scheduled' && now.worker
      ? `attempt ${now.attempt ?? '?'} on ${now.worker}`
      : 'waiting for a live worker';
  return ` (attempt ${was.attempt ?? 1} on ${was.worker}, now ${to})`;
};

/** "task a failed (…)", or "3 tasks failed: a (…); b (…); c (…)", at most LISTED of them. */
function listed(what: string, lines: readonly Line[]): string {
  const [only] = lines;
  if (lines.length === 1 && only) return `task ${only.id} ${what}${only.detail}`;
  const shown = lines.slice(0, LISTED).map((l) => `${l.id}${l.detail}`);
  const more = lines.length > LISTED ? `; and ${lines.length - LISTED} more` : '';
  return `${lines.length} tasks ${what}: ${shown.join('; ')}${more}`;
}
