/**
 * The DagInstances a DagSchedule starts, and its status write. A run's name
 * is derived from the schedule and the time it was due, so the API server's
 * create (409 on an existing name) is what makes a due time start at most
 * once, whoever asks: a second leader, a pass after a crash, a backfill.
 */
import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { DagScheduleStatus } from '../api/dag-schedule.ts';
import {
  API_VERSION,
  DAG_INSTANCE,
  DAG_SCHEDULE,
  SCHEDULE_LABEL,
  SCHEDULED_TIME_ANNOTATION,
  scheduleResource,
} from '../api/names.ts';
import type { DagInstance, DagSchedule } from '../api/objects.ts';
import { mergePatchDiff } from '../core/merge-patch.ts';
import { kubeCall } from '../kube/errors.ts';
import { mergePatchOptions } from '../kube/patch.ts';
import { createInstanceOnce } from './child-instances.ts';
import { boundedName, subjectMetadata, subjectOf } from './labels.ts';
import { STATUS_FIELD_MANAGER } from './refs.ts';

/** Longest run name: an instance's name is a label value on its ConfigMaps. */
const MAX_RUN_NAME = 63;

/** `<schedule>-<unix time>`: the run due at `due`. */
export function scheduledRunName(schedule: string, due: Date): string {
  return boundedName(schedule, `-${Math.floor(due.getTime() / 1000)}`, MAX_RUN_NAME);
}

/** `<schedule>-manual-<unix time>`: a run started by hand (`kubectl fastflow schedule trigger`). */
export function manualRunName(schedule: string, at: Date): string {
  return boundedName(schedule, `-manual-${Math.floor(at.getTime() / 1000)}`, MAX_RUN_NAME);
}

/** The schedule that started an instance (its full name), if one did. */
export function scheduleOf(instance: {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}): string | undefined {
  return subjectOf(instance.metadata, SCHEDULE_LABEL);
}

/** When the run was due, from its annotation; undefined for a run started by hand. */
export function dueTimeOf(instance: DagInstance): Date | undefined {
  const at = instance.metadata.annotations?.[SCHEDULED_TIME_ANNOTATION];
  const ms = at === undefined ? NaN : Date.parse(at);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/**
 * The DagInstance of one run: the schedule's Dag and vars, labelled with the
 * schedule and owned by it (deleting the schedule deletes its runs, as a
 * CronJob's Jobs). `due` is unset for a run started by hand.
 */
export function runObject(schedule: DagSchedule, name: string, due: Date | undefined): DagInstance {
  const { labels, annotations } = subjectMetadata({ [SCHEDULE_LABEL]: schedule.metadata.name });
  return {
    apiVersion: API_VERSION,
    kind: DAG_INSTANCE.kind,
    metadata: {
      name,
      namespace: schedule.metadata.namespace,
      labels,
      annotations: {
        ...annotations,
        ...(due ? { [SCHEDULED_TIME_ANNOTATION]: due.toISOString() } : {}),
      },
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: DAG_SCHEDULE.kind,
          name: schedule.metadata.name,
          uid: schedule.metadata.uid,
          controller: true,
        },
      ],
    },
    spec: {
      dagRef: { name: schedule.spec.dagRef.name },
      ...(schedule.spec.vars ? { vars: schedule.spec.vars } : {}),
    },
  };
}

/** Creates a run; `false` when an instance of that name exists already (that run started before). */
export async function createRun(custom: CustomObjectsApi, run: DagInstance): Promise<boolean> {
  return createInstanceOnce(custom, run.metadata.namespace ?? '', run);
}

/**
 * Writes what changed of a schedule's status, conditional on the
 * resourceVersion it was decided from: a 409 means the decision read an old
 * cursor, and the pass is made again on a fresh read.
 */
export async function writeScheduleStatus(
  custom: CustomObjectsApi,
  current: DagSchedule,
  next: DagScheduleStatus,
): Promise<void> {
  const diff = mergePatchDiff(current.status ?? {}, next);
  if (diff === undefined) return;
  const { namespace = '', name, resourceVersion } = current.metadata;
  await kubeCall(() =>
    custom.patchNamespacedCustomObjectStatus(
      {
        ...scheduleResource,
        fieldManager: STATUS_FIELD_MANAGER,
        namespace,
        name,
        body: { metadata: { resourceVersion }, status: diff },
      },
      mergePatchOptions,
    ),
  );
}
