import {
  MAX_EARLIER_OPERATIONS,
  MAX_OPERATION_MESSAGE,
  MAX_OPERATION_VALUE,
  type DagInstanceStatus,
  type OperationRecord,
  type TaskStatus,
} from '../api/dag-instance.ts';
import {
  OPERATION_ANNOTATIONS,
  SIGNAL_ANNOTATION,
  SIGNAL_BY_ANNOTATION,
  type OperationName,
} from '../api/names.ts';
import { carriedToNextAttempt } from './retry.ts';
import { unassignWaiting } from './pre-assign.ts';
import { parseSignal, type SignalRequest } from './control/signals.ts';
import { canApply, phaseOf, transition, type OperatorEvent } from './task-transitions.ts';

export interface OperationRequest {
  /** An operation, or a signal to a waiting task (signals.ts), recorded the same way. */
  name: OperationName | 'signal';
  /** The annotation's value as status.operations records it (see recordedValue). */
  value: string;
  /** The tasks named after `:`; undefined means "all that apply". */
  tasks: string[] | undefined;
  /** The vars given after `?` (`<token>:<task>?name=value&…`, URL-encoded): a rerun's. */
  vars?: Record<string, string>;
  /** Why it is refused whatever the tasks' phases (a value too long, or acted on before). */
  refused?: string;
  /** For a signal: what it asks for. */
  signal?: SignalRequest;
}

/**
 * Order in which operations set together apply: a retry after a cancel
 * reopens it; a signal after the operations on tasks, to the tasks as they
 * left them; a resume last, so that a pause and a resume asked together
 * leave the instance going.
 */
const ORDER: readonly OperationRequest['name'][] = [
  'cancel',
  'skip',
  'restart',
  'rerun',
  'retry',
  'continue',
  'signal',
  'pause',
  'resume',
];
const ANNOTATIONS = { ...OPERATION_ANNOTATIONS, signal: SIGNAL_ANNOTATION } as const;

/** The operations that act on tasks by the transition table (the others: instance-operations.ts). */
export type TaskOperationName = 'cancel' | 'retry' | 'continue' | 'skip';

/**
 * The value as status.operations records it: itself, or, when longer than
 * the record may hold (and so refused), its start and its length.
 */
export function recordedValue(value: string): string {
  if (value.length <= MAX_OPERATION_VALUE) return value;
  const tail = `… (${value.length} characters)`;
  return `${value.slice(0, MAX_OPERATION_VALUE - tail.length)}${tail}`;
}

/** Whether the operator has yet to act on this value of the annotation. */
export function isPending(value: string | undefined, record: OperationRecord | undefined): boolean {
  return value !== undefined && value !== '' && record?.value !== recordedValue(value);
}

/**
 * The operations asked for by annotation and not yet acted on: a value is
 * acted on once, and recorded in status.operations in the same write as its
 * effect, so a restart mid-way neither loses nor repeats it. A value acted
 * on before (one of the last MAX_EARLIER_OPERATIONS + 1), or too long to
 * record, is refused instead, with the reason.
 */
export function pendingOperations(
  annotations: Readonly<Record<string, string>> | undefined,
  handled: DagInstanceStatus['operations'],
): OperationRequest[] {
  return ORDER.flatMap((name): OperationRequest[] => {
    const key = ANNOTATIONS[name];
    const value = annotations?.[key];
    const record = handled?.[name];
    if (value === undefined || !isPending(value, record)) return [];
    if (value.length > MAX_OPERATION_VALUE) {
      const refused =
        `${key} is ${value.length} characters long, more than the ${MAX_OPERATION_VALUE} ` +
        'accepted: nothing was done (name fewer tasks, or none for all that apply)';
      return [{ name, value: recordedValue(value), tasks: undefined, refused }];
    }
    if (record?.earlier?.includes(value)) {
      const refused =
        `${key}=${value} was acted on before, and each value is acted on once: ` +
        'set a new value (e.g. "$(date +%s)") to ask again';
      return [{ name, value, tasks: undefined, refused }];
    }
    if (name === 'signal') {
      const parsed = parseSignal(value, annotations?.[SIGNAL_BY_ANNOTATION]);
      if ('refused' in parsed) return [{ name, value, tasks: undefined, refused: parsed.refused }];
      return [{ name, value, tasks: [parsed.signal.task], signal: parsed.signal }];
    }
    return [{ name, value, ...targets(value) }];
  });
}

/** The tasks named after `:` (none, or `*`: all that apply) and the vars after `?`. */
function targets(value: string): Pick<OperationRequest, 'tasks' | 'vars'> {
  const colon = value.indexOf(':');
  const rest = colon < 0 ? '' : value.slice(colon + 1);
  const question = rest.indexOf('?');
  const list = (question < 0 ? rest : rest.slice(0, question)).trim();
  const vars =
    question < 0 ? undefined : Object.fromEntries(new URLSearchParams(rest.slice(question + 1)));
  const tasks =
    list === '' || list === '*'
      ? undefined
      : list
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
  return { tasks, ...(vars ? { vars } : {}) };
}

/**
 * The record of an operation just acted on, remembering the values acted on
 * before it (newest first, bounded), so that one set again is not repeated.
 */
export function recordOutcome(
  previous: OperationRecord | undefined,
  record: OperationRecord,
): OperationRecord {
  const seen = previous ? [previous.value, ...(previous.earlier ?? [])] : [];
  const earlier = [...new Set(seen)]
    .filter((v) => v !== record.value)
    .slice(0, MAX_EARLIER_OPERATIONS);
  return { ...record, ...(earlier.length > 0 ? { earlier } : {}) };
}

export interface OperationOutcome {
  tasks: Record<string, TaskStatus>;
  record: OperationRecord;
}

/** The record of an operation refused: its name, then why. */
export function refusedRecord(op: OperationRequest, why: string, now: Date): OperationRecord {
  const message = clamp(`${op.name}: ${why}`);
  return { value: op.value, result: 'Refused', message, at: now.toISOString() };
}

/** The record of an operation applied: its name, then what it did. */
export function appliedRecord(op: OperationRequest, what: string, now: Date): OperationRecord {
  const message = clamp(`${op.name}: ${what}`);
  return { value: op.value, result: 'Applied', message, at: now.toISOString() };
}

/**
 * Why an operation cannot apply whatever the tasks' phases, or undefined:
 * refused when asked (too long, a value acted on before, past the deadline),
 * tasks it does not know, vars given to an operation other than rerun.
 */
export function refusedOutright(
  op: OperationRequest,
  taskIds: readonly string[],
): string | undefined {
  if (op.refused !== undefined) return op.refused;
  const unknown = (op.tasks ?? []).filter((t) => !taskIds.includes(t));
  if (unknown.length > 0) return `no task ${names(unknown)} in this Dag`;
  if (op.vars && op.name !== 'rerun') return 'only rerun takes vars (after "?")';
  return undefined;
}

/**
 * Applies one operation on tasks to the task map, or refuses it with the
 * reason (a retry of a task that has not failed, a continue of one that is
 * not blocked, a cancel of a finished instance...). A refusal changes no task.
 */
export function applyOperation(
  op: OperationRequest & { name: TaskOperationName },
  taskIds: readonly string[],
  tasksIn: Readonly<Record<string, TaskStatus>>,
  now: Date,
  grownUnder: (names: readonly string[]) => string[] = () => [],
): OperationOutcome {
  let tasks = tasksIn;
  const rule = RULES[op.name];
  // A step pre-assigned behind its parent has not run: a skip takes it back first.
  if (op.name === 'skip') tasks = unassignWaiting(tasks, op.tasks ?? [], 'it was skipped');
  const applies = (id: string): boolean => canApply(phaseOf(tasks[id]), rule.event);
  // A task named that grew keys (a fan-out's copies, a loop's iterations) takes those it applies to.
  const named = op.tasks && [...op.tasks, ...grownUnder(op.tasks).filter(applies)];
  const chosen = named ?? (rule.named ? [] : taskIds.filter(applies));
  const refuse = (why: string): OperationOutcome => ({
    tasks: { ...tasks },
    record: refusedRecord(op, why, now),
  });
  const outright = refusedOutright(op, taskIds);
  if (outright !== undefined) return refuse(outright);
  if (chosen.length === 0) return refuse(rule.nothing);
  const wrong = chosen.filter((id) => !applies(id));
  if (wrong.length > 0) {
    const states = names(wrong.map((id) => `${id} is ${phaseOf(tasks[id])}`));
    return refuse(`${rule.only} (${states})`);
  }
  const next = { ...tasks };
  for (const id of chosen) next[id] = rule.apply(tasks[id], now);
  return { tasks: next, record: appliedRecord(op, names(chosen), now) };
}

interface Rule {
  /** The table's rows for it say which tasks it applies to. */
  event: OperatorEvent;
  /** An absent task (undefined) is Pending: the table refuses what does not apply to it. */
  apply(entry: TaskStatus | undefined, now: Date): TaskStatus;
  nothing: string;
  only: string;
  /** It applies only to the tasks named: none named is refused, never "all that apply". */
  named?: true;
}

const RULES: Record<TaskOperationName, Rule> = {
  cancel: {
    // Tasks that have not started yet (absent) are canceled too: nothing new starts.
    event: 'CancelRequested',
    apply: (e, now) =>
      transition(e, 'CancelRequested', {
        ...e,
        reason: 'Canceled',
        message: 'canceled by request',
        finishedAt: now.toISOString(),
      }),
    nothing: 'every task has already finished',
    only: 'only unfinished tasks can be canceled',
  },
  retry: {
    event: 'RetryRequested',
    // The task keeps its history and, when it was continued, stays past its block checks.
    apply: (e) => transition(e, 'RetryRequested', e ? carriedToNextAttempt(e) : {}),
    nothing: 'no failed or canceled task to retry',
    only: 'only failed or canceled tasks can be retried',
  },
  continue: {
    event: 'ContinueRequested',
    apply: (e) =>
      transition(e, 'ContinueRequested', {
        continued: true,
        ...(e?.attempt ? { attempt: e.attempt } : {}),
        ...(e?.history ? { history: e.history } : {}),
      }),
    nothing: 'no blocked task to continue',
    only: 'only blocked tasks can be continued',
  },
  skip: {
    event: 'SkipRequested',
    apply: (e, now) =>
      transition(e, 'SkipRequested', {
        ...(e?.attempt ? { attempt: e.attempt } : {}),
        ...(e?.history ? { history: e.history } : {}),
        reason: 'SkipRequested',
        message: 'skipped by request',
        finishedAt: now.toISOString(),
      }),
    nothing: 'name the tasks to skip (fastflow.io/skip=<token>:<task>,…)',
    only: 'only tasks that have not run (Pending or Blocked) can be skipped',
    named: true,
  },
};

/** A message as the record holds it: the limit is the CRD's, a longer one would fail the write. */
export function clamp(message: string): string {
  return message.length <= MAX_OPERATION_MESSAGE
    ? message
    : `${message.slice(0, MAX_OPERATION_MESSAGE - 1)}…`;
}

export function names(ids: readonly string[]): string {
  const shown = ids.slice(0, 10).join(', ');
  return ids.length > 10 ? `${shown} and ${ids.length - 10} more` : shown;
}
