import {
  ACTIVE_TASK_PHASES,
  instanceFinished,
  TERMINAL_TASK_PHASES,
  type DagInstanceStatus,
  type InstancePhase,
  type TaskStatus,
} from '../api/dag-instance.ts';
import { setCondition } from './conditions.ts';
import { DONE_OK, optionalFailures, phaseForInstance } from './control/optional.ts';
import { terminatedSummary } from './control/terminate.ts';
import { formatDuration } from './duration.ts';
import type { DagGraph } from './graph.ts';

export { DONE_OK } from './control/optional.ts';

export interface SummaryInput {
  graph: DagGraph;
  status: DagInstanceStatus;
  generation: number | undefined;
  now: Date;
  /** A ready task is held by a pause: it will run once resumed. */
  held?: boolean;
}

/**
 * The instance-level status from its tasks: phase, progress, the Succeeded
 * condition with its reason, and start/finish bookkeeping.
 */
export function summarize(
  input: SummaryInput,
  tasks: Record<string, TaskStatus>,
  waitingFor: string[],
): DagInstanceStatus {
  const { graph, status, now } = input;
  const phases = graph.order.map((id) => phaseForInstance(graph, tasks, id));
  const finished = phases.filter((p) => TERMINAL_TASK_PHASES.has(p)).length;
  // A terminate task decided how the instance ends, whatever its other tasks say.
  const unpaused =
    status.terminated?.phase ?? instancePhase(phases, waitingFor.length > 0 || input.held === true);
  // Paused shows until it finishes: what still runs may end it, nothing new starts.
  const phase = status.pausedAt && !instanceFinished(unpaused) ? 'Paused' : unpaused;
  const { message, condition } = status.terminated
    ? terminatedSummary(status.terminated)
    : describe(input, phase, tasks, waitingFor, finished);

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
  if (instanceFinished(phase)) {
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

type ConditionFields = { status: 'True' | 'False' | 'Unknown'; reason: string };

/** The message a user reads and the Succeeded condition that goes with it. */
function describe(
  input: SummaryInput,
  phase: InstancePhase,
  tasks: Record<string, TaskStatus>,
  waitingFor: string[],
  finished: number,
): { message: string; condition: ConditionFields } {
  const ids = input.graph.order;
  const inPhase = (p: string): string[] => ids.filter((id) => tasks[id]?.phase === p);
  const list = (found: string[], verb: string): string =>
    found
      .slice(0, 5)
      .map((id) => `task ${id} ${verb}${tasks[id]?.message ? `: ${tasks[id]?.message}` : ''}`)
      .join('; ');
  switch (phase) {
    case 'Succeeded': {
      const optional = optionalFailures(input.graph, tasks);
      if (optional.length === 0) {
        return {
          message: `all ${ids.length} tasks succeeded`,
          condition: { status: 'True', reason: 'Succeeded' },
        };
      }
      return {
        message: `all ${ids.length} tasks finished; optional tasks failed: ${list(optional, 'failed')}`,
        condition: { status: 'True', reason: 'OptionalTasksFailed' },
      };
    }
    case 'Failed': {
      // Read from the tasks, not from the clock: a later pass says the same.
      const deadline = ids.find((id) => tasks[id]?.reason === 'DeadlineExceeded');
      return {
        message: deadline
          ? (tasks[deadline]?.message ?? 'the instance ran past its activeDeadlineSeconds')
          : list(inPhase('Failed'), 'failed'),
        condition: { status: 'False', reason: deadline ? 'DeadlineExceeded' : 'TaskFailed' },
      };
    }
    case 'Canceled':
      return {
        message: list(inPhase('Canceled'), 'canceled'),
        condition: { status: 'False', reason: 'Canceled' },
      };
    case 'Blocked':
      return {
        message: `${list(inPhase('Blocked'), 'blocked')}; continue it to go on`,
        condition: { status: 'Unknown', reason: 'Blocked' },
      };
    case 'Paused': {
      const running = inPhase('Running').length + inPhase('Scheduled').length;
      return {
        message: `paused at ${input.status.pausedAt}: ${running} running task(s) finish, nothing new starts; resume to go on`,
        condition: { status: 'Unknown', reason: 'Paused' },
      };
    }
    case 'Pending':
    case 'Running':
      if (waitingFor.length > 0) {
        const actions = waitingFor.map((a) => `"${a}"`).join(', ');
        return {
          message: `waiting for a live worker with action ${actions}`,
          condition: { status: 'Unknown', reason: 'WaitingForWorker' },
        };
      }
      const limited = onlyLimited(ids, tasks);
      if (limited.length > 0) {
        return {
          message: list(limited, 'is Pending'),
          condition: { status: 'Unknown', reason: 'WaitingForActionSlot' },
        };
      }
      return {
        message: `${finished}/${ids.length} tasks finished`,
        condition: { status: 'Unknown', reason: 'Running' },
      };
  }
}

/**
 * The tasks waiting for a slot of their action while nothing else of the
 * instance moves: what it waits for, said where `kubectl get dagi` shows it.
 */
function onlyLimited(ids: readonly string[], tasks: Record<string, TaskStatus>): string[] {
  if (ids.some((id) => ACTIVE_TASK_PHASES.has(tasks[id]?.phase ?? 'Pending'))) return [];
  return ids.filter((id) => tasks[id]?.reason === 'ActionLimit');
}

/**
 * The instance phase from its tasks' phases alone, never from the order they
 * are visited in (fastflow's DFS made it depend on that): anything that can
 * still move (including a ready task waiting for a worker, or one waiting to
 * be retried) keeps it Running; otherwise a failure wins over a cancel, and
 * a cancel over a block.
 */
export function instancePhase(phases: readonly string[], waiting: boolean): InstancePhase {
  if (phases.every((p) => DONE_OK.has(p))) return 'Succeeded';
  const moving = phases.some((p) => p === 'Scheduled' || p === 'Running' || p === 'Retrying');
  if (moving || waiting) return 'Running';
  if (phases.includes('Failed')) return 'Failed';
  if (phases.includes('Canceled')) return 'Canceled';
  if (phases.includes('Blocked')) return 'Blocked';
  return 'Running';
}
