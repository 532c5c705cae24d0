import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { INSTANCE_PHASES, InstancePhase } from '../api/dag-instance.ts';
import { EVENT_REASONS, type EventReason } from '../core/instance-events.ts';
import type { ReconcileOutcome } from '../kube/controller.ts';
import { METRIC_PREFIX } from './metrics.ts';

/** The operator's controllers: the `controller` label. */
export const CONTROLLERS = ['daginstance', 'dag', 'dagschedule'] as const;
export type ControllerName = (typeof CONTROLLERS)[number];
export const RECONCILE_RESULTS = [
  'success',
  'requeue',
  'error',
  'terminal',
] as const satisfies readonly ReconcileOutcome[];
/** What became of an Event the operator meant to record. */
export const EVENT_RESULTS = ['written', 'failed', 'dropped'] as const;
export type EventResult = (typeof EVENT_RESULTS)[number];
/** What the leader's collectors delete: the `kind` label. */
export const COLLECTED_KINDS = ['instance', 'snapshot', 'trace'] as const;
export type CollectedKind = (typeof COLLECTED_KINDS)[number];

/** Where the gauges read their values at scrape time. */
export interface OperatorSources {
  /** The instances in the informer cache (one without a known status.phase counts as Pending). */
  instances(): Iterable<{ [k: string]: unknown }>;
  liveWorkers(): number;
  isLeader(): boolean;
  queueDepth(controller: ControllerName): number;
}

const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The operator's metrics. Counters and histograms are fed by hooks (the
 * controllers' `onResult`, the work queues' `onHandOut`, the event
 * recorder); gauges are read from the operator's caches when scraped, so
 * they cost nothing between scrapes. Every label value known in advance is
 * created at zero.
 */
export class OperatorMetrics {
  readonly #reconcileDuration: Histogram<'controller' | 'result'>;
  readonly #reconcileErrors: Counter<'controller' | 'result'>;
  readonly #queueWait: Histogram<'controller'>;
  readonly #events: Counter<'reason' | 'result'>;
  readonly #collected: Counter<'kind'>;
  #sources: OperatorSources | undefined;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#reconcileDuration = new Histogram({
      name: `${METRIC_PREFIX}reconcile_duration_seconds`,
      help: 'Duration of reconcile passes, by controller and result.',
      labelNames: ['controller', 'result'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#reconcileErrors = new Counter({
      name: `${METRIC_PREFIX}reconcile_errors_total`,
      help: 'Reconcile passes that failed: "error" is retried with backoff, "terminal" is not.',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.#queueWait = new Histogram({
      name: `${METRIC_PREFIX}workqueue_queue_duration_seconds`,
      help: 'How long a key waited ready in the work queue before a reconcile loop took it.',
      labelNames: ['controller'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#events = new Counter({
      name: `${METRIC_PREFIX}events_total`,
      help: 'Kubernetes Events the operator recorded, by reason and result.',
      labelNames: ['reason', 'result'],
      registers,
    });
    this.#collected = new Counter({
      name: `${METRIC_PREFIX}collected_total`,
      help: 'Objects the leader deleted: finished instances, unreferenced Dag snapshots, traces.',
      labelNames: ['kind'],
      registers,
    });
    this.#gauges(registry);
    this.#zero();
  }

  /** Connects the gauges to the operator's caches; until then they read 0. */
  observe(sources: OperatorSources): void {
    this.#sources = sources;
  }

  reconciled(controller: ControllerName, result: ReconcileOutcome, ms: number): void {
    this.#reconcileDuration.observe({ controller, result }, ms / 1000);
    if (result === 'error' || result === 'terminal') {
      this.#reconcileErrors.inc({ controller, result });
    }
  }

  queueWaited(controller: ControllerName, ms: number): void {
    this.#queueWait.observe({ controller }, ms / 1000);
  }

  event(reason: EventReason, result: EventResult): void {
    this.#events.inc({ reason, result });
  }

  collected(kind: CollectedKind, count = 1): void {
    this.#collected.inc({ kind }, count);
  }

  #zero(): void {
    for (const controller of CONTROLLERS) {
      for (const result of RECONCILE_RESULTS) this.#reconcileDuration.zero({ controller, result });
      this.#reconcileErrors.inc({ controller, result: 'error' }, 0);
      this.#reconcileErrors.inc({ controller, result: 'terminal' }, 0);
      this.#queueWait.zero({ controller });
    }
    for (const reason of EVENT_REASONS) {
      for (const result of EVENT_RESULTS) this.#events.inc({ reason, result }, 0);
    }
    for (const kind of COLLECTED_KINDS) this.#collected.inc({ kind }, 0);
  }

  #gauges(registry: Registry): void {
    const registers = [registry];
    const sources = (): OperatorSources | undefined => this.#sources;
    new Gauge({
      name: `${METRIC_PREFIX}instances`,
      help: "DagInstances by phase, from this replica's informer cache (not started yet: Pending).",
      labelNames: ['phase'],
      registers,
      collect() {
        const counts = new Map<string, number>(INSTANCE_PHASES.map((p) => [p, 0]));
        for (const obj of sources()?.instances() ?? []) {
          const phase = InstancePhase.safeParse(phaseOf(obj));
          const key = phase.success ? phase.data : 'Pending';
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        for (const [phase, n] of counts) this.set({ phase }, n);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}workqueue_depth`,
      help: 'Keys waiting in the work queue for a reconcile loop, by controller.',
      labelNames: ['controller'],
      registers,
      collect() {
        for (const c of CONTROLLERS) this.set({ controller: c }, sources()?.queueDepth(c) ?? 0);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}is_leader`,
      help: '1 while this replica holds the leader Lease and runs the reconcile loops, else 0.',
      registers,
      collect() {
        this.set(sources()?.isLeader() ? 1 : 0);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}live_workers`,
      help: 'Workers whose heartbeat Lease this replica currently sees as live.',
      registers,
      collect() {
        this.set(sources()?.liveWorkers() ?? 0);
      },
    });
  }
}

function phaseOf(obj: { [k: string]: unknown }): unknown {
  const status = obj['status'];
  return typeof status === 'object' && status !== null && 'phase' in status
    ? status.phase
    : undefined;
}
