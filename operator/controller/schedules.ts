import type { OperatorConfig } from '../api/config.ts';
import { DAG_SCHEDULE, scheduleResource } from '../api/names.ts';
import type { DagInstance } from '../api/objects.ts';
import type { KubeClients } from '../kube/client.ts';
import { Controller } from '../kube/controller.ts';
import { collectionInformer } from '../kube/custom-informers.ts';
import type { Informer } from '../kube/informer.ts';
import { keyOf, refOf, type KubeObject } from '../kube/types.ts';
import type { Logger } from '../log.ts';
import type { EventRecorder } from '../observability/events.ts';
import type { Registry } from '../observability/metrics.ts';
import type { OperatorMetrics } from '../observability/operator-metrics.ts';
import { ScheduleMetrics, type ScheduleState } from '../observability/schedule-metrics.ts';
import { scheduleOf } from '../store/schedule-runs.ts';
import { ScheduleReconciler } from './schedule-reconciler.ts';

export interface ScheduleLoopDeps {
  config: OperatorConfig;
  clients: KubeClients;
  dags: Informer<KubeObject>;
  instances: Informer<DagInstance>;
  recorder: EventRecorder;
  registry: Registry;
  metrics: OperatorMetrics;
  log: Logger;
}

export interface ScheduleLoop {
  informer: Informer<KubeObject>;
  depth(): number;
  start(signal: AbortSignal): void;
  stop(): Promise<void>;
}

/**
 * DagSchedules: their informer (on every replica, warm for a takeover), the
 * index of the instances each one started, and the reconcile loop the leader
 * runs. A schedule is looked at again when it changes, when one of its runs
 * changes (Forbid waits for them), when its Dag appears or goes, and when
 * its next run is due (the reconciler's requeue).
 */
export function scheduleLoop(d: ScheduleLoopDeps): ScheduleLoop {
  const log = d.log.child({ controller: 'dagschedule' });
  const schedules = collectionInformer<KubeObject>(d.clients, scheduleResource, {
    namespace: d.config.namespace,
    logger: d.log.child({ informer: 'dagschedules' }),
  });
  const runs = new RunIndex();
  const reconciler = new ScheduleReconciler({
    custom: d.clients.custom,
    schedule: (k) => schedules.get(k),
    runsOf: (k) => runs.of(k).flatMap((i) => d.instances.get(i) ?? []),
    dagExists: (k) => d.dags.get(k) !== undefined,
    record: (schedule, events) =>
      d.recorder.record({ ...schedule, kind: DAG_SCHEDULE.kind }, events),
    metrics: new ScheduleMetrics(d.registry, () => schedules.list().map(stateOf)),
    log,
  });
  const controller = new Controller({
    name: 'dagschedule',
    concurrency: 1,
    reconcile: (key, signal) => reconciler.reconcile(key, signal),
    logger: log,
    logKey: 'schedule',
    onResult: (result, ms) => d.metrics.reconciled('dagschedule', result, ms),
    queue: { onHandOut: (ms) => d.metrics.queueWaited('dagschedule', ms) },
  });
  schedules.onEvent((ev) => controller.enqueue(ev.key));
  d.instances.onEvent((ev) => {
    const owner = runs.update(ev.key, ev.type === 'delete' ? undefined : ev.obj);
    if (owner !== undefined) controller.enqueue(owner);
  });
  d.dags.onEvent((ev) => {
    const dag = refOf(ev.key);
    for (const s of schedules.list()) {
      const spec = s['spec'] as { dagRef?: { name?: string } } | undefined;
      if (s.metadata?.namespace === dag.namespace && spec?.dagRef?.name === dag.name) {
        controller.enqueue(keyOf({ namespace: dag.namespace, name: s.metadata.name ?? '' }));
      }
    }
  });
  return {
    informer: schedules,
    depth: () => controller.depth(),
    start(signal: AbortSignal): void {
      controller.start(signal);
      for (const key of schedules.keys()) controller.enqueue(key);
    },
    stop: () => controller.stop(),
  };
}

/** The instances each schedule started, by schedule key, kept from the instance informer. */
class RunIndex {
  readonly #bySchedule = new Map<string, Set<string>>();
  readonly #scheduleOf = new Map<string, string>();

  of(schedule: string): string[] {
    return [...(this.#bySchedule.get(schedule) ?? [])];
  }

  /** Follows one instance event; returns the key of the schedule it belongs (or belonged) to. */
  update(key: string, instance: DagInstance | undefined): string | undefined {
    const name = instance && scheduleOf(instance);
    const now = name ? keyOf({ namespace: instance.metadata.namespace, name }) : undefined;
    const before = this.#scheduleOf.get(key);
    if (before !== undefined && before !== now) {
      this.#bySchedule.get(before)?.delete(key);
      if (this.#bySchedule.get(before)?.size === 0) this.#bySchedule.delete(before);
      this.#scheduleOf.delete(key);
    }
    if (now !== undefined) {
      this.#scheduleOf.set(key, now);
      this.#bySchedule.set(now, (this.#bySchedule.get(now) ?? new Set()).add(key));
    }
    return now ?? before;
  }
}

/** A schedule's state for the gauge: suspended, invalid (Ready False), else scheduled. */
function stateOf(s: KubeObject): ScheduleState {
  const spec = s['spec'] as { suspend?: boolean } | undefined;
  if (spec?.suspend === true) return 'suspended';
  const status = s['status'] as { conditions?: { type: string; status: string }[] } | undefined;
  const ready = status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'False' ? 'invalid' : 'scheduled';
}
