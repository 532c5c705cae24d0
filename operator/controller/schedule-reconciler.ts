import type { CustomObjectsApi } from '@kubernetes/client-node';
import { z } from 'zod';
import { ObjectMeta } from '../api/common.ts';
import { DagScheduleStatus } from '../api/dag-schedule.ts';
import { OPERATION_ANNOTATIONS } from '../api/names.ts';
import { DagInstance, DagSchedule, describeZodError } from '../api/objects.ts';
import { setCondition } from '../core/conditions.ts';
import type { PlannedEvent } from '../core/instance-events.ts';
import { finishedInstanceOf } from '../core/instance-gc.ts';
import { decideSchedule, type SchedulePlan, type ScheduleRun } from '../core/schedule-decide.ts';
import type { ReconcileResult } from '../kube/controller.ts';
import { keyOf } from '../kube/types.ts';
import type { Logger } from '../log.ts';
import type { ScheduleMetrics } from '../observability/schedule-metrics.ts';
import { cancelChildInstance } from '../store/child-instances.ts';
import { readInstance } from '../store/instance-read.ts';
import {
  createRun,
  dueTimeOf,
  runObject,
  scheduledRunName,
  writeScheduleStatus,
} from '../store/schedule-runs.ts';
import { deleteFinishedInstance } from './instance-gc.ts';

export interface ScheduleReconcilerDeps {
  custom: CustomObjectsApi;
  /** The informers' copies: the schedule (raw), its runs, whether a Dag exists. */
  schedule: (key: string) => unknown;
  runsOf: (key: string) => DagInstance[];
  dagExists: (key: string) => boolean;
  record: (schedule: DagSchedule, events: PlannedEvent[]) => void;
  metrics: ScheduleMetrics;
  log: Logger;
  now?: () => Date;
}

/** What is needed to report on a schedule even when its spec does not parse. */
const Envelope = z.object({ metadata: ObjectMeta, status: DagScheduleStatus.optional() });

/**
 * Starts the runs of a DagSchedule as they fall due (core/schedule-decide.ts
 * decides; this file reads and writes). Order of writes in a pass: create
 * the runs (409: started before), cancel the replaced ones, write the status
 * (conditional: a 409 makes the whole pass again), then delete old runs and
 * record Events. Runs only on the leader; asks to be run again when the next
 * run is due, and is woken by changes of the schedule, its runs and its Dag.
 */
export class ScheduleReconciler {
  readonly #d: ScheduleReconcilerDeps;

  constructor(deps: ScheduleReconcilerDeps) {
    this.#d = deps;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const raw = this.#d.schedule(key);
    const envelope = Envelope.safeParse(raw);
    if (!envelope.success) return {};
    const parsed = DagSchedule.safeParse(raw);
    const now = (this.#d.now ?? (() => new Date()))();
    if (!parsed.success) {
      await this.#reportUnreadable(envelope.data, describeZodError(parsed.error, 'spec'), now);
      return {};
    }
    const schedule = parsed.data;
    const { namespace = '', name } = schedule.metadata;
    const plan = decideSchedule({
      spec: schedule.spec,
      status: schedule.status,
      generation: schedule.metadata.generation ?? 0,
      createdAt: new Date(schedule.metadata.creationTimestamp ?? now),
      runs: await this.#runs(schedule),
      dagExists: this.#d.dagExists(keyOf({ namespace, name: schedule.spec.dagRef.name })),
      now,
      nameOf: (due) => scheduledRunName(name, due),
    });
    const events = await this.#startAndCancel(schedule, plan, signal);
    await writeScheduleStatus(this.#d.custom, schedule, plan.status);
    this.#d.metrics.runs('missed', plan.missed);
    for (const run of plan.delete) {
      if (signal.aborted) throw new Error('leadership lost: deletion skipped');
      const instance = this.#d.runsOf(key).find((i) => i.metadata.name === run);
      if (instance) {
        await deleteFinishedInstance(this.#d.custom, keyOf({ namespace, name: run }), instance);
      }
    }
    for (const e of plan.events) events.push({ ...e, action: 'Schedule' });
    this.#d.record(schedule, events);
    return plan.wakeAt
      ? { requeueAfterMs: Math.max(1, plan.wakeAt.getTime() - now.getTime()) }
      : {};
  }

  /** Creates the runs due (409: started before) and cancels those replaced; the Events to record. */
  async #startAndCancel(
    schedule: DagSchedule,
    plan: SchedulePlan,
    signal: AbortSignal,
  ): Promise<PlannedEvent[]> {
    const events: PlannedEvent[] = [];
    for (const { name: run, due } of plan.start) {
      if (signal.aborted) throw new Error('leadership lost: run not started');
      if (await createRun(this.#d.custom, runObject(schedule, run, due))) {
        this.#d.metrics.runs('started');
        const note = `started ${run} (due ${due.toISOString()})`;
        events.push({ type: 'Normal', reason: 'ScheduledRun', action: 'Schedule', note });
      }
    }
    const newest = plan.start.at(-1)?.name ?? 'a newer run';
    for (const run of plan.cancel) {
      await cancelChildInstance(
        this.#d.custom,
        schedule.metadata.namespace ?? '',
        run,
        `replaced-by-${newest}`,
      );
      this.#d.metrics.runs('replaced');
      const note = `canceled ${run}: replaced by ${newest} (concurrencyPolicy Replace)`;
      events.push({ type: 'Normal', reason: 'ReplacedRun', action: 'Schedule', note });
    }
    return events;
  }

  /**
   * The schedule's runs: those in the cache, and those its status lists as
   * unfinished that the cache has not seen yet (read from the API server, so
   * that Forbid never takes a run just started for none).
   */
  async #runs(schedule: DagSchedule): Promise<ScheduleRun[]> {
    const { namespace = '', name } = schedule.metadata;
    const cached = this.#d.runsOf(keyOf({ namespace, name }));
    const seen = new Set(cached.map((i) => i.metadata.name));
    const unseen = (schedule.status?.active ?? []).filter((n) => !seen.has(n));
    const read = await Promise.all(unseen.map((n) => this.#read(namespace, n)));
    return [...cached, ...read.filter((i) => i !== undefined)].map((i) => runOf(i));
  }

  async #read(namespace: string, name: string): Promise<DagInstance | undefined> {
    const raw = await readInstance(this.#d.custom, { namespace, name });
    const parsed = DagInstance.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }

  async #reportUnreadable(
    envelope: z.infer<typeof Envelope>,
    message: string,
    now: Date,
  ): Promise<void> {
    const generation = envelope.metadata.generation ?? 0;
    const status: DagScheduleStatus = {
      ...envelope.status,
      observedGeneration: generation,
      conditions: setCondition(
        envelope.status?.conditions,
        {
          type: 'Ready',
          status: 'False',
          reason: 'InvalidSpec',
          message,
          observedGeneration: generation,
        },
        now,
      ),
    };
    const current = {
      metadata: envelope.metadata,
      ...(envelope.status ? { status: envelope.status } : {}),
    };
    await writeScheduleStatus(this.#d.custom, current as DagSchedule, status);
  }
}

/** An instance as the decision sees it. */
function runOf(i: DagInstance): ScheduleRun {
  const due = dueTimeOf(i);
  const finished = finishedInstanceOf(i.metadata.name, i);
  const cancel = i.metadata.annotations?.[OPERATION_ANNOTATIONS.cancel];
  return {
    name: i.metadata.name,
    ...(due ? { due } : {}),
    ...(i.status?.phase ? { phase: i.status.phase } : {}),
    ...(i.status?.finishTime ? { finishTime: i.status.finishTime } : {}),
    ...(cancel?.startsWith('replaced-by-') ? { cancelAsked: true } : {}),
    ...(finished ? { finished } : {}),
  };
}
