import { expect } from 'vitest';
import type { TaskSpec } from '../../operator/api/dag.ts';
import type { Condition } from '../../operator/api/common.ts';
import type { DagInstanceStatus, TaskPhase } from '../../operator/api/dag-instance.ts';
import { decide, type DecideInput, type Decision } from '../../operator/core/decide.ts';
import { foldResults, type Folded } from '../../operator/core/fold-results.ts';
import { buildGraph, type DagGraph } from '../../operator/core/graph.ts';
import { started } from '../../operator/core/instance-start.ts';
import { pendingOperations } from '../../operator/core/operations.ts';
import { transition, type WorkerEvent } from '../../operator/core/task-transitions.ts';
import type { WorkerView } from '../../operator/core/worker-pool.ts';

// What the decide tests share: small Dags, workers, and the steps of a run.

export const T0 = new Date('2026-05-01T10:00:00.000Z');
export const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

export function task(id: string, dependOn: string[] = [], actionName = 'Print'): TaskSpec {
  return { id, actionName, ...(dependOn.length ? { dependOn } : {}) };
}

export function graphOf(tasks: TaskSpec[]): DagGraph {
  const result = buildGraph(tasks);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.graph;
}

export function worker(
  name: string,
  actions: string[] = ['Print'],
  capacity = 10,
  load = 0,
): WorkerView {
  return { name, actions: new Set(actions), capacity, load };
}

export function start(): DagInstanceStatus {
  return started(undefined, 'dag-rev-1', T0);
}

/** What a reconcile reads besides the status: annotations (operations), deadline, vars. */
export interface StepInput {
  annotations?: Record<string, string>;
  deadline?: Date;
  vars?: Record<string, string>;
  /** Default 0: these tests see plain assignment; pre-assign.test.ts the chains ahead. */
  chainLookAhead?: number;
}

/** One decide, at generation 1, without the fixed-point check of `step`. */
export function decideOnce(
  graph: DagGraph,
  status: DagInstanceStatus,
  workers: readonly WorkerView[],
  now = at(1),
  more: Partial<DecideInput> = {},
): Decision {
  return decide({ graph, status, workers, generation: 1, now, ...more });
}

/**
 * One reconcile's decision, as the reconciler makes it: the operations are
 * those of the annotations not yet recorded in the status.
 */
export function step(
  graph: DagGraph,
  status: DagInstanceStatus,
  workers: WorkerView[],
  now = at(1),
  extra: StepInput = {},
): Decision {
  const run = (s: DagInstanceStatus, when: Date): Decision =>
    decideOnce(graph, s, workers, when, {
      operations: pendingOperations(extra.annotations, s.operations),
      ...(extra.deadline ? { deadline: extra.deadline } : {}),
      ...(extra.vars ? { vars: extra.vars } : {}),
      chainLookAhead: extra.chainLookAhead ?? 0,
    });
  const decision = run(status, now);
  // Every decision is a fixed point of itself.
  const again = run(decision.status, now);
  expect(again.assigned).toEqual([]);
  expect(again.status).toEqual(decision.status);
  return decision;
}

/** What the assigned worker writes for its own attempt, through the transition table. */
export function report(
  status: DagInstanceStatus,
  id: string,
  event: WorkerEvent,
  message?: string,
): DagInstanceStatus {
  const current = status.tasks?.[id];
  expect(current, `task ${id} has a status`).toBeDefined();
  const next = transition(current, event, { ...current, ...(message ? { message } : {}) });
  return { ...status, tasks: { ...status.tasks, [id]: next } };
}

/** `id` started and succeeded, its output stored by reference in the data object `ref` (outputRef). */
export function succeededByRef(
  status: DagInstanceStatus,
  id: string,
  ref: string,
): DagInstanceStatus {
  const done = report(report(status, id, 'AttemptStarted'), id, 'AttemptSucceeded');
  const { output: _inline, ...entry } = done.tasks![id]!;
  return { ...done, tasks: { ...done.tasks, [id]: { ...entry, outputRef: ref } } };
}

/** One worker's reports (as one TaskResult, in the order given), folded as the operator folds them. */
export function foldReports(
  status: DagInstanceStatus,
  results: Record<string, 'Running' | 'Succeeded' | 'Failed'>,
  w = 'w1',
): { status: DagInstanceStatus; outcomes: Folded['outcomes'] } {
  const reports = Object.fromEntries(Object.entries(results).map(([k, phase]) => [k, { phase }]));
  const folded = foldResults(status.tasks ?? {}, [{ worker: w, results: reports }]);
  return { status: { ...status, tasks: folded.tasks }, outcomes: folded.outcomes };
}

/** The worker's report of a failed attempt, with the reason and the finishedAt of its own clock. */
export function failure(
  status: DagInstanceStatus,
  id: string,
  finishedAt?: Date,
): DagInstanceStatus {
  const failed = report(status, id, 'AttemptFailed', 'boom');
  const entry = {
    ...failed.tasks?.[id],
    phase: 'Failed' as const,
    reason: 'ActionFailed' as const,
  };
  if (finishedAt) entry.finishedAt = finishedAt.toISOString();
  return { ...failed, tasks: { ...failed.tasks, [id]: entry } };
}

export function phases(status: DagInstanceStatus): Record<string, TaskPhase> {
  return Object.fromEntries(Object.entries(status.tasks ?? {}).map(([id, t]) => [id, t.phase]));
}

export const succeededCondition = (status: DagInstanceStatus): Condition | undefined =>
  status.conditions?.find((c) => c.type === 'Succeeded');

/**
 * Runs every task assigned to success (its output: its key), pass after
 * pass from the decision `d`, until nothing is assigned or `passes` ran.
 */
export function succeedAssigned(
  graph: DagGraph,
  d: Decision,
  workers: WorkerView[],
  from = 2,
  passes = 100,
): Decision {
  for (let i = 0; d.assigned.length > 0 && i < passes; i++) {
    let s = d.status;
    for (const a of d.assigned) {
      s = report(report(s, a.task, 'AttemptStarted'), a.task, 'AttemptSucceeded');
      const done = { ...s.tasks?.[a.task], phase: 'Succeeded' as const, output: a.task };
      s = { ...s, tasks: { ...s.tasks, [a.task]: done } };
    }
    d = step(graph, s, workers, at(from + i));
  }
  return d;
}
