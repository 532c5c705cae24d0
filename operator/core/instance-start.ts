import {
  TERMINAL_TASK_PHASES,
  type DagInstanceSpec,
  type DagInstanceStatus,
  type TaskStatus,
} from '../api/dag-instance.ts';
import { findCondition, setCondition } from './conditions.ts';
import { formatDuration } from './duration.ts';
import { failUnfinished } from './fail-unfinished.ts';
import { recordOutcome, refusedRecord, type OperationRequest } from './operations.ts';

/** Why an instance cannot run, as the user reads it in its Succeeded condition. */
export interface CannotRun {
  reason: string;
  message: string;
}

/**
 * The status of an instance that cannot run: it could not start (missing,
 * invalid or stopped Dag, bad vars), or the Dag snapshot it runs is gone.
 * It is Failed with the reason; tasks still placed, running or waiting fail
 * with it (no worker keeps running them, none stays counted as busy); each
 * operation asked for is refused and recorded. Repeating it on its own
 * output changes nothing (the finish time stays), so the next pass has
 * nothing to write.
 */
export function failedToRun(
  status: DagInstanceStatus | undefined,
  why: CannotRun,
  generation: number | undefined,
  now: Date,
  operations: readonly OperationRequest[] = [],
): DagInstanceStatus {
  const tasks = status?.tasks ?? {};
  const ids = Object.keys(tasks);
  const stopped = failUnfinished(
    tasks,
    ids,
    { event: 'DagRevisionLost', reason: 'DagRevisionLost', message: why.message },
    now,
  );
  const progress = progressOf(status?.progress, stopped);
  return {
    ...status,
    phase: 'Failed',
    message: why.message,
    ...finishOf(status, now),
    ...(ids.length > 0 ? { tasks: stopped } : {}),
    ...(progress ? { progress } : {}),
    ...withOperationsRefused(status, why, operations, now),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: setCondition(
      status?.conditions,
      {
        type: 'Succeeded',
        status: 'False',
        reason: why.reason,
        message: why.message,
        observedGeneration: generation,
      },
      now,
    ),
  };
}

/** Why an instance that did not start failed: what its Succeeded condition says. */
export function whyNotStarted(status: DagInstanceStatus): CannotRun {
  const condition = findCondition(status.conditions, 'Succeeded');
  return {
    reason: condition?.reason ?? 'FailedToStart',
    message: condition?.message ?? status.message ?? 'the instance did not start',
  };
}

/**
 * The status of an instance waiting for a run slot of its Dag: Pending, and
 * its Succeeded condition says why (the same words every pass, so waiting
 * costs one write).
 */
export function waitingToStart(
  status: DagInstanceStatus | undefined,
  why: CannotRun,
  generation: number | undefined,
  now: Date,
): DagInstanceStatus {
  return {
    ...status,
    phase: 'Pending',
    message: why.message,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: setCondition(
      status?.conditions,
      { type: 'Succeeded', status: 'Unknown', ...why, observedGeneration: generation },
      now,
    ),
  };
}

/** The instance's deadline, when it has activeDeadlineSeconds and has started. */
export function deadlineOf(spec: DagInstanceSpec, status: DagInstanceStatus): { deadline?: Date } {
  const secs = spec.activeDeadlineSeconds;
  if (secs === undefined || status.startTime === undefined) return {};
  return { deadline: new Date(Date.parse(status.startTime) + secs * 1000) };
}

/** The first status of a started instance: it runs the given Dag snapshot from now on. */
export function started(
  status: DagInstanceStatus | undefined,
  dagRevision: string,
  now: Date,
): DagInstanceStatus {
  return { ...status, phase: 'Running', dagRevision, startTime: now.toISOString(), tasks: {} };
}

/**
 * Each operation refused and recorded: nothing can be canceled, retried or
 * continued in an instance that cannot run. For a finished instance whose
 * snapshot is gone this is all that changes: it keeps how it ended.
 */
export function withOperationsRefused(
  status: DagInstanceStatus | undefined,
  why: CannotRun,
  operations: readonly OperationRequest[],
  now: Date,
): Pick<DagInstanceStatus, 'operations'> {
  if (operations.length === 0) return status?.operations ? { operations: status.operations } : {};
  const records = { ...status?.operations };
  for (const op of operations) {
    const refusal =
      op.refused ??
      `the instance cannot run (${why.reason}: ${why.message}); create a new DagInstance instead`;
    const record = refusedRecord(op, refusal, now);
    records[op.name] = recordOutcome(status?.operations?.[op.name], record);
  }
  return { operations: records };
}

/** When it finished: the first time it failed, kept by every later pass. */
function finishOf(
  status: DagInstanceStatus | undefined,
  now: Date,
): Required<Pick<DagInstanceStatus, 'finishTime' | 'duration'>> {
  if (status?.phase === 'Failed' && status.finishTime && status.duration) {
    return { finishTime: status.finishTime, duration: status.duration };
  }
  const started = status?.startTime ? Date.parse(status.startTime) : now.getTime();
  return { finishTime: now.toISOString(), duration: formatDuration(now.getTime() - started) };
}

/** "finished/all" again once tasks were failed, when the instance had counted its tasks. */
function progressOf(
  progress: string | undefined,
  tasks: Readonly<Record<string, TaskStatus>>,
): string | undefined {
  const all = progress?.split('/')[1];
  if (all === undefined) return undefined;
  const finished = Object.values(tasks).filter((t) => TERMINAL_TASK_PHASES.has(t.phase)).length;
  return `${finished}/${all}`;
}
