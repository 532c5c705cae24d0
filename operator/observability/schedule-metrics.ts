import { Counter, Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './metrics.ts';

/** What became of a due run of a DagSchedule: the `result` label. */
export const SCHEDULE_RUN_RESULTS = ['started', 'missed', 'replaced'] as const;
export type ScheduleRunResult = (typeof SCHEDULE_RUN_RESULTS)[number];
/** A DagSchedule's state, from its spec and `Ready` condition: the `state` label. */
export const SCHEDULE_STATES = ['scheduled', 'suspended', 'invalid'] as const;
export type ScheduleState = (typeof SCHEDULE_STATES)[number];

/**
 * DagSchedule metrics (docs/metrics.md): runs started, missed and replaced,
 * counted by the leader as it acts; schedules by state, read from the
 * replica's cache when scraped.
 */
export class ScheduleMetrics {
  readonly #runs: Counter<'result'>;

  constructor(registry: Registry, states: () => Iterable<ScheduleState>) {
    const registers = [registry];
    this.#runs = new Counter({
      name: `${METRIC_PREFIX}schedule_runs_total`,
      help: 'Due runs of DagSchedules: started, missed (not started: catch-up bound, deadline) or replaced (canceled by a newer run, Replace).',
      labelNames: ['result'],
      registers,
    });
    for (const result of SCHEDULE_RUN_RESULTS) this.#runs.inc({ result }, 0);
    new Gauge({
      name: `${METRIC_PREFIX}schedules`,
      help: "DagSchedules by state, from this replica's informer cache.",
      labelNames: ['state'],
      registers,
      collect() {
        const counts = new Map<string, number>(SCHEDULE_STATES.map((s) => [s, 0]));
        for (const s of states()) counts.set(s, (counts.get(s) ?? 0) + 1);
        for (const [state, n] of counts) this.set({ state }, n);
      },
    });
  }

  runs(result: ScheduleRunResult, count = 1): void {
    if (count > 0) this.#runs.inc({ result }, count);
  }
}
