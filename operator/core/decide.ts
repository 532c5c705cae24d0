import {
  ACTIVE_TASK_PHASES,
  TERMINAL_TASK_PHASES,
  type DagInstanceStatus,
  type InstancePhase,
  type TaskStatus,
} from '../api/dag-instance.ts';
import { setCondition } from './conditions.ts';
import { formatDuration } from './duration.ts';
import type { DagGraph } from './graph.ts';
import { WorkerPool, type WorkerView } from './worker-pool.ts';

export interface DecideInput {
  graph: DagGraph;
  status: DagInstanceStatus;
  /** Live workers only. */
  workers: readonly WorkerView[];
  generation: number | undefined;
  now: Date;
}

export interface Assignment {
  task: string;
  worker: string;
  attempt: number;
}

export interface Decision {
  status: DagInstanceStatus;
  assigned: Assignment[];
  /** Actions that ready tasks wait for because no live worker has them. */
  waitingFor: string[];
}

/** Phases that let a child run. */
const DONE_OK = new Set(['Succeeded', 'Skipped']);

/**
 * The whole scheduling decision for one running instance: a pure function of
 * (Dag graph, current status, live workers, now). It assigns every ready task
 * to a worker, moves tasks of lost workers to a new attempt, and derives the
 * instance phase. Running it on its own output changes nothing, which is what
 * makes a reconcile safe to repeat after a crash at any line.
 */
export function decide(input: DecideInput): Decision {
  const { graph, status, now } = input;
  const pool = new WorkerPool(input.workers);
  const tasks: Record<string, TaskStatus> = { ...status.tasks };
  const assigned: Assignment[] = [];
  const waitingFor = new Set<string>();

  const place = (id: string, attempt: number, why?: string): void => {
    const action = graph.tasks.get(id)?.actionName ?? '';
    const worker = pool.pick(action);
    if (worker) {
      tasks[id] = { phase: 'Scheduled', worker, attempt, scheduledAt: now.toISOString() };
      if (why) tasks[id].message = why;
      assigned.push({ task: id, worker, attempt });
      return;
    }
    waitingFor.add(action);
    tasks[id] = {
      phase: 'Pending',
      ...(attempt > 1 ? { attempt: attempt - 1 } : {}),
      reason: 'NoWorkerForAction',
      message: `waiting for a live worker with action "${action}"${why ? `; ${why}` : ''}`,
    };
  };

  for (const id of graph.order) {
    const current = tasks[id];
    if (current && ACTIVE_TASK_PHASES.has(current.phase)) {
      if (current.worker && !pool.isLive(current.worker)) {
        const attempt = (current.attempt ?? 1) + 1;
        place(id, attempt, `worker ${current.worker} was lost during attempt ${attempt - 1}`);
      }
      continue;
    }
    const pending = current === undefined || current.phase === 'Pending';
    const parentsDone = (graph.parents.get(id) ?? []).every((p) =>
      DONE_OK.has(tasks[p]?.phase ?? 'Pending'),
    );
    if (pending && parentsDone) place(id, (current?.attempt ?? 0) + 1, lostReason(current));
  }

  const next = summarize(input, tasks, [...waitingFor]);
  return { status: next, assigned, waitingFor: [...waitingFor] };
}

/** Keeps the "worker lost" note of a task that is still waiting for a new worker. */
function lostReason(current: TaskStatus | undefined): string | undefined {
  const note = current?.message?.split('; ').find((m) => m.startsWith('worker '));
  return note;
}

function summarize(
  input: DecideInput,
  tasks: Record<string, TaskStatus>,
  waitingFor: string[],
): DagInstanceStatus {
  const { graph, status, now } = input;
  const phases = graph.order.map((id) => tasks[id]?.phase ?? 'Pending');
  const finished = phases.filter((p) => TERMINAL_TASK_PHASES.has(p)).length;
  const phase = instancePhase(phases, waitingFor.length > 0);
  const failed = graph.order.filter((id) => tasks[id]?.phase === 'Failed');

  let message: string;
  let condition: { status: 'True' | 'False' | 'Unknown'; reason: string };
  if (phase === 'Succeeded') {
    message = `all ${graph.order.length} tasks succeeded`;
    condition = { status: 'True', reason: 'Succeeded' };
  } else if (phase === 'Failed') {
    message = failed
      .slice(0, 5)
      .map((id) => `task ${id} failed: ${tasks[id]?.message ?? 'no message'}`)
      .join('; ');
    condition = { status: 'False', reason: 'TaskFailed' };
  } else if (waitingFor.length > 0) {
    message = `waiting for a live worker with action ${waitingFor.map((a) => `"${a}"`).join(', ')}`;
    condition = { status: 'Unknown', reason: 'WaitingForWorker' };
  } else {
    message = `${finished}/${graph.order.length} tasks finished`;
    condition = { status: 'Unknown', reason: phase };
  }

  const next: DagInstanceStatus = {
    ...status,
    phase,
    progress: `${finished}/${graph.order.length}`,
    tasks,
    message,
    conditions: setCondition(
      status.conditions,
      { type: 'Succeeded', ...condition, message, observedGeneration: input.generation },
      now,
    ),
  };
  if (input.generation !== undefined) next.observedGeneration = input.generation;
  if (phase === 'Succeeded' || phase === 'Failed') {
    // A repeated pass over a finished instance keeps when it finished.
    if (status.phase !== phase || status.finishTime === undefined) {
      next.finishTime = now.toISOString();
      const start = status.startTime ? Date.parse(status.startTime) : now.getTime();
      next.duration = formatDuration(now.getTime() - start);
    }
  } else {
    // Running again (a retry) after having finished: the old finish is void.
    delete next.finishTime;
    delete next.duration;
  }
  return next;
}

/**
 * The instance phase from its tasks' phases alone, never from the order they
 * are visited in (fastflow's DFS made it depend on that): anything that can
 * still move (including a ready task waiting for a worker) keeps it Running;
 * otherwise a failure wins over a block.
 */
export function instancePhase(phases: readonly string[], waiting: boolean): InstancePhase {
  if (phases.every((p) => DONE_OK.has(p))) return 'Succeeded';
  const moving = phases.some((p) => p === 'Scheduled' || p === 'Running' || p === 'Retrying');
  if (moving || waiting) return 'Running';
  if (phases.some((p) => p === 'Failed' || p === 'Canceled')) return 'Failed';
  if (phases.some((p) => p === 'Blocked')) return 'Blocked';
  return 'Running';
}
