import { Counter, Histogram, type Registry } from 'prom-client';
import { TaskReason } from '../../operator/api/task-reason.ts';
import type { WorkerEvent } from '../../operator/core/task-transitions.ts';
import { METRIC_PREFIX } from '../../operator/observability/metrics.ts';

/** Failure reasons that are a result label of their own: the deadline, or an abort from outside. */
const OWN_RESULT = TaskReason.extract(['TimedOut', 'Aborted']);

/**
 * The `result` label of a finished task: Succeeded; TimedOut and Aborted
 * (the deadline passed, or the task was taken away or the worker stopped);
 * Failed for everything else (the action threw, its params were invalid).
 */
export const TASK_RESULTS = ['Succeeded', 'Failed', ...OWN_RESULT.options] as const;
export type TaskResult = (typeof TASK_RESULTS)[number];

/** The label of a task whose action this worker cannot name (its snapshot was unreadable). */
export const UNKNOWN_ACTION = 'unknown';

export function taskResult(outcome: { event: WorkerEvent; reason?: TaskReason }): TaskResult {
  if (outcome.event === 'AttemptSucceeded') return 'Succeeded';
  const own = OWN_RESULT.safeParse(outcome.reason);
  return own.success ? own.data : 'Failed';
}

const TASK_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
];
const START_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * A worker's task metrics. The `action` label takes the names this worker
 * registered (a bounded set it advertises anyway), each pre-initialised with
 * every result.
 */
export class WorkerMetrics {
  readonly #started: Counter<'action'>;
  readonly #finished: Counter<'action' | 'result'>;
  readonly #duration: Histogram<'action' | 'result'>;
  readonly #scheduleToStart: Histogram;

  constructor(registry: Registry, actions: readonly string[]) {
    const registers = [registry];
    this.#started = new Counter({
      name: `${METRIC_PREFIX}tasks_started_total`,
      help: 'Task attempts this worker started, by action.',
      labelNames: ['action'],
      registers,
    });
    this.#finished = new Counter({
      name: `${METRIC_PREFIX}tasks_finished_total`,
      help: 'Task attempts this worker finished, by action and result.',
      labelNames: ['action', 'result'],
      registers,
    });
    this.#duration = new Histogram({
      name: `${METRIC_PREFIX}task_duration_seconds`,
      help: 'Run time of task attempts (params validation and the action), by action and result.',
      labelNames: ['action', 'result'],
      buckets: TASK_BUCKETS,
      registers,
    });
    this.#scheduleToStart = new Histogram({
      name: `${METRIC_PREFIX}task_schedule_to_start_seconds`,
      help: "Time from the operator's scheduledAt to this worker's startedAt (two clocks).",
      buckets: START_BUCKETS,
      registers,
    });
    for (const action of actions) {
      this.#started.inc({ action }, 0);
      for (const result of TASK_RESULTS) {
        this.#finished.inc({ action, result }, 0);
        this.#duration.zero({ action, result });
      }
    }
  }

  started(action: string): void {
    this.#started.inc({ action });
  }

  finished(action: string, result: TaskResult, seconds: number): void {
    this.#finished.inc({ action, result });
    this.#duration.observe({ action, result }, seconds);
  }

  /** Negative gaps (the worker's clock behind the operator's) count as 0. */
  scheduledToStarted(seconds: number): void {
    this.#scheduleToStart.observe(Math.max(0, seconds));
  }
}
