import type { KubeClients } from '../../operator/kube/client.ts';
import { instanceResource } from '../../operator/api/names.ts';
import {
  isAlreadyExists,
  isNotFound,
  KubeApiError,
  kubeCall,
  toKubeError,
} from '../../operator/kube/errors.ts';
import { defineAction, type Action, type ActionContext } from './action.ts';
import {
  type AttemptKey,
  CONTAINER,
  ContainerParams,
  exitText,
  ofTask,
  taskJobSelector,
  jobManifest,
  jobName,
  jobToAdopt,
} from './container-job.ts';
import { JobWatch, type JobEnd } from './container-watch.ts';
import { NonRetryableError } from './errors.ts';

/**
 * `container`: runs the task as a Kubernetes Job in the instance's namespace
 * (one Pod, never restarted: the task's retry policy retries), waits for it
 * with a watch, and maps its end to the task's: Complete → success with the
 * exit code, Failed → a failed attempt naming the exit code and reason. The
 * tail of the Pod's log becomes the attempt's trace. The Job is deleted per
 * `deletePolicy`, and always when the attempt is canceled or times out.
 */
export function containerAction(clients: KubeClients): Action<ContainerParams> {
  return defineAction({
    name: 'container',
    params: ContainerParams,
    async run(ctx, p) {
      const a: AttemptKey = {
        namespace: ctx.instance.namespace,
        instance: ctx.instance.name,
        task: ctx.task.id,
        attempt: ctx.task.attempt,
      };
      const name = await startJob(clients, ctx, a, p);
      const { end, pod } = await waitForJob(clients, ctx, a.namespace, name, p);
      await traceLogTail(clients, ctx, a.namespace, pod?.metadata?.name, p.logTailLines);
      const exit = exitText(pod);
      if (p.deletePolicy === 'always' || (end.ok && p.deletePolicy === 'onSuccess')) {
        await deleteJob(clients, ctx, a.namespace, name, end.ok ? 'succeeded' : 'failed');
      }
      if (!end.ok) {
        const why = [end.reason, end.message].filter(Boolean).join(': ');
        throw new Error(`Job ${name} failed: container ${exit.text}${why ? `; ${why}` : ''}`);
      }
      return { job: name, pod: pod?.metadata?.name ?? null, exitCode: exit.exitCode ?? 0 };
    },
  });
}

/**
 * Waits for the Job's end. A Job that cannot end well is deleted before the
 * error goes up: always when the attempt is canceled or timed out, and when
 * its Pod can never start or the policy is `always`.
 */
async function waitForJob(
  clients: KubeClients,
  ctx: ActionContext,
  namespace: string,
  name: string,
  p: ContainerParams,
): Promise<{ end: JobEnd; pod: ReturnType<JobWatch['pod']> }> {
  const watch = new JobWatch(clients, namespace, name, ctx.log);
  try {
    const end = await watch.ended(ctx.signal);
    return { end, pod: watch.pod() };
  } catch (e) {
    const canceled = ctx.signal.aborted;
    if (canceled || p.deletePolicy === 'always' || e instanceof NonRetryableError) {
      await deleteJob(clients, ctx, namespace, name, canceled ? 'canceled' : 'failed');
    }
    throw e;
  }
}

/**
 * The Job this attempt waits for: one an earlier attempt left running (its
 * worker died), else this attempt's own, created now or found by its
 * deterministic name (a create that meets AlreadyExists).
 */
async function startJob(
  clients: KubeClients,
  ctx: ActionContext,
  a: AttemptKey,
  p: ContainerParams,
): Promise<string> {
  try {
    const earlier = await clients.batch.listNamespacedJob({
      namespace: a.namespace,
      labelSelector: taskJobSelector(a),
    });
    const ours = earlier.items.filter((j) => ofTask(j, a));
    const adopted = jobToAdopt(ours, a.attempt)?.metadata?.name;
    if (adopted) {
      ctx.trace(`waiting for Job ${adopted}, left running by an earlier attempt`);
      return adopted;
    }
    const instance = (await clients.custom.getNamespacedCustomObject({
      ...instanceResource,
      namespace: a.namespace,
      name: a.instance,
    })) as { metadata?: { uid?: string } };
    const name = jobName(a);
    try {
      await clients.batch.createNamespacedJob({
        namespace: a.namespace,
        body: jobManifest(a, instance.metadata?.uid ?? '', p),
      });
      ctx.trace(`created Job ${name} (image ${p.image})`);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      ctx.trace(`found Job ${name} of this attempt`);
    }
    return name;
  } catch (e) {
    throw apiFailure(e, 'create or read Jobs');
  }
}

/** An API refusal that another attempt cannot fix fails the task now, saying what to change. */
function apiFailure(e: unknown, what: string): unknown {
  const k = toKubeError(e);
  if (!(k instanceof KubeApiError)) return k;
  if (k.code === 403) {
    return new NonRetryableError(
      `the worker may not ${what} (the chart grants it with rbac.workerJobs): ${k.message}`,
    );
  }
  if (k.code === 422 || k.code === 400)
    return new NonRetryableError(`the Job is invalid: ${k.message}`);
  return k;
}

async function deleteJob(
  clients: KubeClients,
  ctx: ActionContext,
  namespace: string,
  name: string,
  why: string,
): Promise<void> {
  try {
    // Background: the Job goes at once, the garbage collector takes its Pods.
    await kubeCall(() =>
      clients.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' }),
    );
    ctx.trace(`deleted Job ${name} (${why})`);
  } catch (e) {
    if (isNotFound(e)) return;
    // The instance owns the Job: it goes with the instance at the latest.
    ctx.log.warn({ err: String(e), job: name }, 'Job not deleted');
    ctx.trace(`Job ${name} not deleted: ${String(e)}`);
  }
}

/** The last lines of the container's log, as trace lines; a log that cannot be read is said so. */
async function traceLogTail(
  clients: KubeClients,
  ctx: ActionContext,
  namespace: string,
  pod: string | undefined,
  lines: number,
): Promise<void> {
  if (lines === 0) return;
  if (!pod) return ctx.trace('(no log: no Pod of the Job was seen)');
  try {
    const log = await kubeCall(() =>
      clients.core.readNamespacedPodLog({
        namespace,
        name: pod,
        container: CONTAINER,
        tailLines: lines,
      }),
    );
    ctx.trace(`--- last ${lines} lines of the log of Pod ${pod}`);
    for (const line of log.split('\n').slice(-lines)) if (line !== '') ctx.trace(line);
  } catch (e) {
    ctx.trace(`(log of Pod ${pod} unavailable: ${e instanceof Error ? e.message : String(e)})`);
  }
}
