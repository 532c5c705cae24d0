import { createHash } from 'node:crypto';
import { z } from 'zod';
import { API_VERSION, ATTEMPT_LABELS, DAG_INSTANCE } from '../../operator/api/names.ts';
import { labelValue, subjectMetadata, subjectOf } from '../../operator/store/labels.ts';
import { SecretRef } from './secret-ref.ts';

/** Labels on the Job and its Pod: which attempt of which task of which instance. */
export const JOB_LABELS = ATTEMPT_LABELS;
/** The label the Job controller puts on a Job's Pods. */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
/** The container's name in the Pod. */
export const CONTAINER = 'main';

const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[numkKMGTPE]i?)?$/;
const resourceList = z.record(
  z.string().regex(/^[a-z0-9.\-/]{1,253}$/, 'must be a resource name, e.g. cpu or memory'),
  z.string().regex(QUANTITY, 'must be a quantity, e.g. 500m or 1Gi'),
);

/** The params of the built-in `container` action (docs/builtin-actions.md). */
export const ContainerParams = z
  .object({
    image: z.string().regex(/^\S{1,1024}$/, 'must be an image reference, e.g. busybox:1.36'),
    command: z.array(z.string()).max(256).optional(),
    args: z.array(z.string()).max(256).optional(),
    /** A value, or a key of a Secret in the instance's namespace (read by the Pod, not the worker). */
    env: z
      .record(
        z
          .string()
          .regex(/^[-._a-zA-Z][-._a-zA-Z0-9]{0,254}$/, 'must be an environment variable name'),
        z.union([z.string(), z.object({ secretRef: SecretRef }).strict()]),
      )
      .default({}),
    resources: z
      .object({ requests: resourceList, limits: resourceList })
      .partial()
      .strict()
      .optional(),
    /** The container's securityContext, as Kubernetes takes it (checked by the API server). */
    securityContext: z.record(z.string(), z.unknown()).optional(),
    serviceAccountName: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be the name of a ServiceAccount')
      .optional(),
    /** When the Job goes once it has ended: always, only when it succeeded (default), never. */
    deletePolicy: z.enum(['always', 'onSuccess', 'never']).default('onSuccess'),
    /** Lines of the Pod's log kept as the attempt's trace. */
    logTailLines: z.int().min(0).max(200).default(50),
    activeDeadlineSeconds: z
      .int()
      .positive()
      .max(30 * 24 * 3600)
      .optional(),
  })
  .strict();
export type ContainerParams = z.output<typeof ContainerParams>;

export type AttemptKey = { namespace: string; instance: string; task: string; attempt: number };

function attemptSubject(a: Omit<AttemptKey, 'namespace'>): Record<string, string> {
  return {
    [JOB_LABELS.instance]: a.instance,
    [JOB_LABELS.task]: a.task,
    [JOB_LABELS.attempt]: String(a.attempt),
  };
}

/** The label selector of the Jobs of every attempt of one task (it may select others: see `ofTask`). */
export function taskJobSelector(a: Omit<AttemptKey, 'namespace' | 'attempt'>): string {
  return `${JOB_LABELS.instance}=${labelValue(a.instance)},${JOB_LABELS.task}=${labelValue(a.task)}`;
}

/** Whether the Job belongs to this task of this instance (bounded label values may collide). */
export function ofTask(job: JobView, a: Omit<AttemptKey, 'namespace' | 'attempt'>): boolean {
  const meta = job.metadata;
  return (
    subjectOf(meta, JOB_LABELS.instance) === a.instance &&
    subjectOf(meta, JOB_LABELS.task) === a.task
  );
}

/**
 * The Job of one attempt, named from instance, task and attempt so that the
 * same attempt always finds the same Job: a readable prefix cut to fit 63
 * characters (a Job name is also its Pods' label value), and a hash of the
 * exact triple so that two names never collide after the cut or lowercasing.
 */
export function jobName(a: Omit<AttemptKey, 'namespace'>): string {
  const hash = createHash('sha256')
    .update(`${a.instance}/${a.task}/${a.attempt}`)
    .digest('hex')
    .slice(0, 8);
  const readable = `${a.instance}-${a.task}-${a.attempt}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 63 - 9)
    .replace(/^-+|-+$/g, '');
  return `${readable || 'job'}-${hash}`;
}

/** The Job: one Pod, never restarted (the task's retry policy retries), owned by the instance. */
export function jobManifest(a: AttemptKey, instanceUid: string, p: ContainerParams): object {
  // Names and task keys may not fit a label value: bounded labels, full values in annotations.
  const { labels, annotations } = subjectMetadata(attemptSubject(a));
  const env = Object.entries(p.env).map(([name, v]) =>
    typeof v === 'string'
      ? { name, value: v }
      : { name, valueFrom: { secretKeyRef: { name: v.secretRef.name, key: v.secretRef.key } } },
  );
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(a),
      namespace: a.namespace,
      labels,
      annotations,
      ownerReferences: [
        { apiVersion: API_VERSION, kind: DAG_INSTANCE.kind, name: a.instance, uid: instanceUid },
      ],
    },
    spec: {
      backoffLimit: 0,
      ...(p.activeDeadlineSeconds ? { activeDeadlineSeconds: p.activeDeadlineSeconds } : {}),
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(p.serviceAccountName ? { serviceAccountName: p.serviceAccountName } : {}),
          containers: [
            {
              name: CONTAINER,
              image: p.image,
              ...(p.command ? { command: p.command } : {}),
              ...(p.args ? { args: p.args } : {}),
              ...(env.length ? { env } : {}),
              ...(p.resources ? { resources: p.resources } : {}),
              ...(p.securityContext ? { securityContext: p.securityContext } : {}),
            },
          ],
        },
      },
    },
  };
}

export type JobView = {
  metadata?: {
    name?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] };
};

/** Whether the Job has ended, and how: its Complete or Failed condition. */
export function jobEnd(job: JobView): { ok: boolean; reason: string; message: string } | undefined {
  const end = job.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  if (!end) return undefined;
  return { ok: end.type === 'Complete', reason: end.reason ?? '', message: end.message ?? '' };
}

/**
 * A Job left running by an earlier attempt of the same task (its worker died
 * mid-attempt): the new attempt waits for it instead of starting the same
 * work a second time. A finished one is never adopted: it ran, and this
 * attempt exists to run again.
 */
export function jobToAdopt(jobs: readonly JobView[], attempt: number): JobView | undefined {
  const attemptOf = (j: JobView): number => Number(subjectOf(j.metadata, JOB_LABELS.attempt) ?? 0);
  return jobs
    .filter((j) => attemptOf(j) < attempt && jobEnd(j) === undefined)
    .sort((x, y) => attemptOf(y) - attemptOf(x))[0];
}

export type PodView = {
  metadata?: { name?: string; creationTimestamp?: unknown };
  status?: {
    containerStatuses?: {
      name?: string;
      state?: {
        waiting?: { reason?: string; message?: string };
        terminated?: { exitCode?: number; reason?: string; message?: string };
      };
    }[];
  };
};

type ContainerStatus = NonNullable<NonNullable<PodView['status']>['containerStatuses']>[number];

/** The main container's status in the Pod. */
function mainContainer(pod: PodView): ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((c) => c.name === CONTAINER);
}

// Waiting reasons that no amount of waiting fixes: the task fails without a retry.
const HOPELESS = new Set(['InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError']);

/** Why the Pod can never start, if so (a bad image name, a missing Secret for env). */
export function hopelessWait(pod: PodView): string | undefined {
  const waiting = mainContainer(pod)?.state?.waiting;
  if (!waiting?.reason || !HOPELESS.has(waiting.reason)) return undefined;
  return `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
}

/** "exited with code 3 (Error: …)", or what is known when the Pod says nothing. */
export function exitText(pod: PodView | undefined): { exitCode?: number; text: string } {
  const t = pod ? mainContainer(pod)?.state?.terminated : undefined;
  if (t?.exitCode === undefined) return { text: 'no exit code (its Pod is gone or never ran)' };
  const why = [t.reason, t.message].filter(Boolean).join(': ');
  return { exitCode: t.exitCode, text: `exited with code ${t.exitCode}${why ? ` (${why})` : ''}` };
}
