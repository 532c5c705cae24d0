import type { DagInstanceStatus, OperationRecord, TaskStatus } from '../api/dag-instance.ts';
import { OPERATION_ANNOTATIONS, type OperationName } from '../api/names.ts';
import { withAttemptRecorded } from './retry.ts';
import { canApply, phaseOf, transition, type OperatorEvent } from './task-transitions.ts';

export interface OperationRequest {
  name: OperationName;
  value: string;
  /** The tasks named after `:`; undefined means "all that apply". */
  tasks: string[] | undefined;
}

/** Order in which operations set together apply: a retry after a cancel reopens it. */
const ORDER: readonly OperationName[] = ['cancel', 'retry', 'continue'];

/**
 * The operations asked for by annotation and not yet acted on: a value is
 * acted on once, and recorded in status.operations in the same write as its
 * effect, so a restart mid-way neither loses nor repeats it.
 */
export function pendingOperations(
  annotations: Readonly<Record<string, string>> | undefined,
  handled: DagInstanceStatus['operations'],
): OperationRequest[] {
  return ORDER.flatMap((name) => {
    const value = annotations?.[OPERATION_ANNOTATIONS[name]];
    if (value === undefined || value === '' || handled?.[name]?.value === value) return [];
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
): OperationOutcome {
  const rule = RULES[op.name];
  const applies = (id: string): boolean => canApply(phaseOf(tasks[id]), rule.event);
  const unknown = (op.tasks ?? []).filter((t) => !taskIds.includes(t));
  const chosen = op.tasks ?? taskIds.filter(applies);
  const refuse = (message: string): OperationOutcome => ({
    tasks: { ...tasks },
    record: { value: op.value, result: 'Refused', message, at: now.toISOString() },
  });
  if (unknown.length > 0) return refuse(`${op.name}: no task ${names(unknown)} in this Dag`);
  if (chosen.length === 0) return refuse(`${op.name}: ${rule.nothing}`);
  const wrong = chosen.filter((id) => !applies(id));
  if (wrong.length > 0) {
    const states = wrong.map((id) => `${id} is ${phaseOf(tasks[id])}`).join(', ');
    return refuse(`${op.name}: ${rule.only} (${states})`);
  }
  const next = { ...tasks };
  for (const id of chosen) next[id] = rule.apply(tasks[id], now);
  return {
    tasks: next,
    record: {
      value: op.value,
      result: 'Applied',
      message: `${op.name}: ${names(chosen)}`,
      at: now.toISOString(),
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
    apply: (e) =>
      transition(e, 'RetryRequested', {
        ...(e?.attempt ? { attempt: e.attempt } : {}),
        ...(e ? withAttemptRecorded(e) : {}),
      }),
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

function names(ids: readonly string[]): string {
  const shown = ids.slice(0, 10).join(', ');
  return ids.length > 10 ? `${shown} and ${ids.length - 10} more` : shown;
}
