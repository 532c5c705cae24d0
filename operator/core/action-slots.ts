import { ACTIVE_TASK_PHASES, type TaskStatus } from '../api/dag-instance.ts';
import type { TaskReason } from '../api/task-reason.ts';
import { specOf } from './grown-graph.ts';
import type { DagGraph } from './graph.ts';

/** The cluster-wide limits on one action, as one decision pass may use them. */
export interface ActionSlot {
  /** How many more tasks of the action this pass may place. */
  free: number;
  /** What a task that cannot be placed for lack of one says (the limit that binds). */
  note: string;
}

/** What an instance holds of each limited action, and which of them its ready tasks wait for. */
export interface ActionUse {
  held: Map<string, number>;
  waiting: Set<string>;
}

/**
 * The tasks of an instance that count against the limited actions: those
 * Scheduled or Running hold a slot; those Pending with reason
 * ActionLimit wait for one.
 */
export function actionUse(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
  limited: ReadonlySet<string>,
): ActionUse {
  const use: ActionUse = { held: new Map(), waiting: new Set() };
  for (const [id, t] of Object.entries(tasks)) {
    const action = specOf(graph, id)?.actionName;
    if (action === undefined || !limited.has(action)) continue;
    if (ACTIVE_TASK_PHASES.has(t.phase)) use.held.set(action, (use.held.get(action) ?? 0) + 1);
    else if (t.phase === 'Pending' && t.reason === 'ActionLimit') use.waiting.add(action);
  }
  return use;
}

/** What a task waiting for a slot of its action says. */
export function actionLimitNote(action: string, limit: number): string {
  return `waiting for a slot: action "${action}" runs at most ${limit} at once across the cluster (--action-concurrency); it starts as soon as one frees`;
}

/** What a task waiting for its action's rate limit says. */
export function actionRateNote(action: string, rate: ActionRate): string {
  return `waiting for a slot: action "${action}" starts at most ${rate.starts} times per ${rate.perSecs}s across the cluster (--action-rate); it starts as soon as the rate allows`;
}

/** At most `starts` starts of an action in any `perSecs` seconds. */
export interface ActionRate {
  starts: number;
  perSecs: number;
}

/**
 * Why a ready task was not placed: its action is at its limit (`limitNote`),
 * or no live worker has it; `note` adds what the previous attempt says.
 */
export function notPlaced(
  action: string,
  limitNote: string | undefined,
  note: string | undefined,
): { reason: TaskReason & ('ActionLimit' | 'NoWorkerForAction'); message: string } {
  const message = limitNote ?? `waiting for a live worker with action "${action}"`;
  return {
    reason: limitNote ? 'ActionLimit' : 'NoWorkerForAction',
    message: note ? `${message}; ${note}` : message,
  };
}

/** A ready task that has passed its checks and waits for a worker or a slot: not checked again. */
export function isWaitingToBePlaced(entry: TaskStatus | undefined): boolean {
  return entry?.reason === 'NoWorkerForAction' || entry?.reason === 'ActionLimit';
}
