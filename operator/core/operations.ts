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
import { parseSignal, signalEffect, type SignalRequest } from './control/signals.ts';
import { canApply, phaseOf, transition, type OperatorEvent } from './task-transitions.ts';

export interface OperationRequest {
  /** An operation, or a signal to a waiting task (signals.ts), recorded the same way. */
  name: OperationName | 'signal';
  /** The annotation's value as status.operations records it (see recordedValue). */
  value: string;
  /** The tasks named after `:`; undefined means "all that apply". */
  tasks: string[] | undefined;
  /** Why it is refused whatever the tasks' phases (a value too long, or acted on before). */
  refused?: string;
  /** For a signal: what it asks for. */
  signal?: SignalRequest;
}

/**
 * Order in which operations set together apply: a retry after a cancel
 * reopens it; a signal comes last, to the tasks as the others left them.
 */
const ORDER: readonly OperationRequest['name'][] = ['cancel', 'retry', 'continue', 'signal'];
const ANNOTATIONS = { ...OPERATION_ANNOTATIONS, signal: SIGNAL_ANNOTATION } as const;

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
    const colon = value.indexOf(':');
    const list = colon < 0 ? '' : value.slice(colon + 1).trim();
    const tasks =
      list === '' || list === '*'
        ? undefined
        : list
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean);
    return [{ name, value, tasks }];
  });
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

/**
 * Applies one operation to the task map, or refuses it with the reason (a
 * retry of a task that has not failed, a continue of one that is not
 * blocked, a cancel of a finished instance...). A refusal changes no task.
 */
export function applyOperation(
  op: OperationRequest,
  taskIds: readonly string[],
  tasks: Readonly<Record<string, TaskStatus>>,
  now: Date,
  /** A task's type (absent: action), which decides whether a signal applies to it. */
  typeOf: (id: string) => string | undefined = () => undefined,
): OperationOutcome {
  const at = now.toISOString();
  const unknown = (op.tasks ?? []).filter((t) => !taskIds.includes(t));
  const by = op.signal ? { by: op.signal.by } : {};
  const refuse = (message: string): OperationOutcome => ({
    tasks: { ...tasks },
    record: { value: op.value, result: 'Refused', message: clamp(message), at, ...by },
  });
  if (op.refused !== undefined) return refuse(`${op.name}: ${op.refused}`);
  const label = op.signal?.verb ?? op.name;
  if (unknown.length > 0) return refuse(`${label}: no task ${names(unknown)} in this Dag`);
  if (op.name === 'signal') {
    if (!op.signal) return refuse('signal: nothing asked');
    const { task } = op.signal;
    const effect = signalEffect(op.signal, typeOf(task), tasks[task], now);
    if ('refused' in effect) return refuse(effect.refused);
    const message = clamp(effect.message);
    return {
      tasks: { ...tasks, [task]: effect.entry },
      record: { value: op.value, result: 'Applied', message, at, ...by },
    };
  }
  const rule = RULES[op.name];
  const applies = (id: string): boolean => canApply(phaseOf(tasks[id]), rule.event);
  const chosen = op.tasks ?? taskIds.filter(applies);
  if (chosen.length === 0) return refuse(`${op.name}: ${rule.nothing}`);
  const wrong = chosen.filter((id) => !applies(id));
  if (wrong.length > 0) {
    const states = names(wrong.map((id) => `${id} is ${phaseOf(tasks[id])}`));
    return refuse(`${op.name}: ${rule.only} (${states})`);
  }
  const next = { ...tasks };
  for (const id of chosen) next[id] = rule.apply(tasks[id], now);
  return {
    tasks: next,
    record: {
      value: op.value,
      result: 'Applied',
      message: clamp(`${op.name}: ${names(chosen)}`),
      at,
    },
  };
}

interface Rule {
  /** The table's rows for it say which tasks it applies to. */
  event: OperatorEvent;
  /** An absent task (undefined) is Pending: the table refuses what does not apply to it. */
  apply(entry: TaskStatus | undefined, now: Date): TaskStatus;
  nothing: string;
  only: string;
}

const RULES: Record<OperationName, Rule> = {
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
};

/** A message as the record holds it: the limit is the CRD's, a longer one would fail the write. */
function clamp(message: string): string {
  return message.length <= MAX_OPERATION_MESSAGE
    ? message
    : `${message.slice(0, MAX_OPERATION_MESSAGE - 1)}…`;
}

function names(ids: readonly string[]): string {
  const shown = ids.slice(0, 10).join(', ');
  return ids.length > 10 ? `${shown} and ${ids.length - 10} more` : shown;
}
