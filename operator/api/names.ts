/** API group, versions, kinds and the label/annotation keys fastflow owns. */
export const GROUP = 'fastflow.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const DAG = { kind: 'Dag', plural: 'dags', singular: 'dag', shortName: 'dag' } as const;
export const DAG_INSTANCE = {
  kind: 'DagInstance',
  plural: 'daginstances',
  singular: 'daginstance',
  shortName: 'dagi',
} as const;
/** A worker's results for one instance, folded into its status by the operator. */
export const TASK_RESULT = {
  kind: 'TaskResult',
  plural: 'taskresults',
  singular: 'taskresult',
  shortName: 'dagtr',
} as const;
/** Finished task entries of one instance, moved out of its status by the operator. */
export const TASK_SHARD = {
  kind: 'TaskShard',
  plural: 'taskshards',
  singular: 'taskshard',
  shortName: 'dagts',
} as const;
export const CATEGORY = 'fastflow';

/**
 * Label a DagInstance carries for every worker that holds a task of it, so that
 * a worker watches only the instances that concern it (label selector
 * `w.fastflow.io/<worker>`) instead of every update of every instance.
 */
export const WORKER_LABEL_PREFIX = 'w.fastflow.io/';
/** Label on worker Leases: the operator watches only these. */
export const WORKER_LEASE_LABEL = 'fastflow.io/worker';
/** Annotations on a worker Lease: what it can run and how much at once. */
export const ACTIONS_ANNOTATION = 'fastflow.io/actions';
export const CAPACITY_ANNOTATION = 'fastflow.io/capacity';
/**
 * Label (and annotation, with the full name) on the ConfigMaps that belong to
 * an instance: its traces and its share data.
 */
export const INSTANCE_LABEL = 'fastflow.io/instance';
/**
 * Labels on what one attempt of a task leaves behind (its trace ConfigMap,
 * the Job of the built-in container action): which attempt of which task of
 * which instance.
 */
export const ATTEMPT_LABELS = {
  instance: INSTANCE_LABEL,
  task: 'fastflow.io/task',
  attempt: 'fastflow.io/attempt',
} as const;
/** Label on the ControllerRevision that snapshots a Dag. */
export const DAG_NAME_LABEL = 'fastflow.io/dag';

export function workerLabel(worker: string): string {
  return `${WORKER_LABEL_PREFIX}${worker}`;
}

/**
 * Operations a user asks for by setting an annotation on a DagInstance (the
 * SDK and the kubectl plugin do it for them). The value is `<token>` or
 * `<token>:<task>,<task>`; the operator acts once per distinct value and
 * records the outcome in status.operations.
 */
export const OPERATION_ANNOTATIONS = {
  cancel: 'fastflow.io/cancel',
  retry: 'fastflow.io/retry',
  continue: 'fastflow.io/continue',
  skip: 'fastflow.io/skip',
  rerun: 'fastflow.io/rerun',
  restart: 'fastflow.io/restart',
  pause: 'fastflow.io/pause',
  resume: 'fastflow.io/resume',
} as const;
export type OperationName = keyof typeof OPERATION_ANNOTATIONS;

/**
 * A signal to a task that waits (approve, reject, or end a wait), acted on
 * once per value like an operation: `<token>:<verb>:<task>[:<text>]`.
 * SIGNAL_BY_ANNOTATION names who sent it, and admission requires it to be
 * the user making the request (operator/api/crd/signal-policy.ts).
 */
export const SIGNAL_ANNOTATION = 'fastflow.io/signal';
export const SIGNAL_BY_ANNOTATION = 'fastflow.io/signal-by';

/**
 * Annotation of a DagInstance started with an idempotency key (the SDK's
 * runDag, `kubectl fastflow run --idempotency-key`): its name is derived from
 * the Dag and the key, so a second start with the key finds the first.
 */
export const IDEMPOTENCY_KEY_ANNOTATION = 'fastflow.io/idempotency-key';

/** Arguments CustomObjectsApi needs to address our kinds. */
export const dagResource = { group: GROUP, version: VERSION, plural: DAG.plural } as const;
export const instanceResource = {
  group: GROUP,
  version: VERSION,
  plural: DAG_INSTANCE.plural,
} as const;
export const taskResultResource = {
  group: GROUP,
  version: VERSION,
  plural: TASK_RESULT.plural,
} as const;
export const taskShardResource = {
  group: GROUP,
  version: VERSION,
  plural: TASK_SHARD.plural,
} as const;

/** Starts DagInstances of a Dag on a cron schedule (docs/schedules.md). */
export const DAG_SCHEDULE = {
  kind: 'DagSchedule',
  plural: 'dagschedules',
  singular: 'dagschedule',
  shortName: 'dagsched',
} as const;
export const scheduleResource = {
  group: GROUP,
  version: VERSION,
  plural: DAG_SCHEDULE.plural,
} as const;
/**
 * Label (the schedule's name) and annotation (the time it was due, RFC 3339)
 * on each DagInstance a DagSchedule started; backfilled and triggered runs
 * carry them too.
 */
export const SCHEDULE_LABEL = 'fastflow.io/schedule';
export const SCHEDULED_TIME_ANNOTATION = 'fastflow.io/scheduled-time';
