import type { TaskPhase, TaskStatus } from '../api/dag-instance.ts';
import { nextPhase, type WorkerEvent } from './task-transitions.ts';

/** What a worker says about one attempt of one task it was assigned. */
export interface AttemptReport {
  task: string;
  worker: string;
  attempt: number;
  event: WorkerEvent;
  /** The fields it writes besides the phase (startedAt, output, reason...). */
  set: Omit<Partial<TaskStatus>, 'phase'>;
}

/** A report as written: fenced on the phase it moves the attempt from. */
export interface TaskReport {
  task: string;
  worker: string;
  attempt: number;
  /** The phase the worker last wrote (or was assigned in): the write's precondition. */
  expect: TaskPhase;
  set: Partial<TaskStatus> & { phase: TaskPhase };
}

/**
 * The written form of a report on an attempt last known in phase `from`:
 * fenced on it, and setting the phase the transition table gives for the
 * event. Throws TaskTransitionRefused for an event `from` has no row for.
 */
export function fenceReport(r: AttemptReport, from: TaskPhase): TaskReport {
  const { event, set, ...attempt } = r;
  return { ...attempt, expect: from, set: { phase: nextPhase(from, event), ...set } };
}

export type JsonPatchOp =
  { op: 'test'; path: string; value: unknown } | { op: 'add'; path: string; value: unknown };

/** Longest message a worker writes: the schema allows 4096 characters. */
const MAX_MESSAGE = 4000;

function pointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * The JSON Patch a worker sends for its reports. Each report is fenced by
 * `test` ops on worker, attempt and phase: if the operator has since given
 * the task to another worker or attempt (this worker was presumed dead), the
 * whole patch is refused instead of overwriting the newer attempt. The test
 * and the change apply atomically on the API server.
 */
export function reportOps(reports: readonly TaskReport[]): JsonPatchOp[] {
  return reports.flatMap((r) => {
    const base = `/status/tasks/${pointer(r.task)}`;
    const fence: JsonPatchOp[] = [
      { op: 'test', path: `${base}/worker`, value: r.worker },
      { op: 'test', path: `${base}/attempt`, value: r.attempt },
      { op: 'test', path: `${base}/phase`, value: r.expect },
    ];
    const writes: JsonPatchOp[] = Object.entries(r.set)
      .filter(([, v]) => v !== undefined)
      .map(([field, value]) => ({
        op: 'add',
        path: `${base}/${field}`,
        value:
          field === 'message' && typeof value === 'string' ? value.slice(0, MAX_MESSAGE) : value,
      }));
    return [...fence, ...writes];
  });
}

/** Two reports on the same attempt, the later one's fields winning, the earlier precondition kept. */
export function mergeReports(earlier: TaskReport, later: TaskReport): TaskReport {
  return { ...earlier, set: { ...earlier.set, ...later.set } };
}
