/**
 * The built-in `container` action through the operator and a stock worker.
 * There is no kubelet or Job controller here: the test plays the node's part,
 * creating the Job's Pod and setting the Pod's and the Job's status, and the
 * Pod's log is unavailable (the action says so in the trace).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchV1Api, CoreV1Api, type V1Job } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceStore } from '../../operator/store/traces.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import type { FastflowProcess } from '../local-cluster/fastflow-process.ts';
import { docDag } from '../support/doc-examples.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

const batch = testKubeConfig().makeApiClient(BatchV1Api);
const core = testKubeConfig().makeApiClient(CoreV1Api);
let env: FastflowEnv;
let worker: FastflowProcess;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('builtin-container'));
  env.startOperator('operator-a');
  worker = env.startWorker('worker');
});
afterAll(async () => env.stop());

async function jobsOf(instance: string): Promise<V1Job[]> {
  const list = await batch.listNamespacedJob({
    namespace: env.namespace,
    labelSelector: `fastflow.io/instance=${instance}`,
  });
  return list.items;
}

/** The instance's Jobs once there are `n` of them (the worker creates them). */
async function awaitJobs(instance: string, n = 1): Promise<V1Job[]> {
  for (let i = 0; i < 600; i++) {
    const jobs = await jobsOf(instance);
    if (jobs.length >= n) return jobs;
    await sleep(50);
  }
  throw new Error(`no Job of ${instance}; logs: ${env.logs}`);
}

async function patchStatus(kind: string, name: string, body: object): Promise<void> {
  const args = ['patch', kind, name, '--subresource=status', '--type=merge'];
  const r = await env.kubectl([...args, '-p', JSON.stringify(body)]);
  expect(r.stderr).toBe('');
}

/** The node's part, first: the Job's Pod (as the Job controller makes it), its container in `state`. */
async function podOf(job: V1Job, phase: string, state: object): Promise<void> {
  const name = `${job.metadata?.name}-x7k2p`;
  const labels = job.spec?.template.metadata?.labels ?? {};
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: job.spec?.template.spec,
  };
  await env.kubectl(['create', '-f', '-'], JSON.stringify(pod));
  const main = {
    name: 'main',
    image: 'busybox',
    imageID: '',
    ready: false,
    restartCount: 0,
    state,
  };
  await patchStatus('pod', name, { status: { phase, containerStatuses: [main] } });
}

/** The node's part: the Job's Pod, terminated with `exitCode`, then the Job's end. */
async function finishJob(job: V1Job, exitCode: number): Promise<void> {
  const now = new Date().toISOString();
  const reason = exitCode === 0 ? 'Completed' : 'Error';
  const terminated = { exitCode, reason, startedAt: now, finishedAt: now };
  await podOf(job, exitCode === 0 ? 'Succeeded' : 'Failed', { terminated });
  const ok = exitCode === 0;
  const cond = (type: string, reason: string): object => ({
    type,
    status: 'True',
    reason,
    message: `${reason} (set by the test)`,
    lastProbeTime: now,
    lastTransitionTime: now,
  });
  const jobStatus = {
    status: {
      startTime: now,
      ...(ok ? { completionTime: now, succeeded: 1 } : { failed: 1 }),
      conditions: ok
        ? [cond('SuccessCriteriaMet', 'CompletionsReached'), cond('Complete', 'CompletionsReached')]
        : [cond('FailureTarget', 'BackoffLimitExceeded'), cond('Failed', 'BackoffLimitExceeded')],
    },
  };
  await patchStatus('job', job.metadata?.name ?? '', jobStatus);
}

async function traceLines(instance: string): Promise<string[]> {
  const traces = await new TraceStore(core).read({ namespace: env.namespace, name: instance });
  return traces.flatMap((t) => t.lines.map((l) => l.replace(/^\S+ /, '')));
}

describe('the container action', () => {
  it('runs a Job to success: output, log tail (unavailable here) as trace, Job deleted', async () => {
    await env.createDag('build', {
      tasks: [
        {
          id: 'compile',
          actionName: 'container',
          params: {
            image: 'busybox:1.36',
            command: ['sh', '-c', 'echo built'],
            env: { MODE: 'fast' },
          },
        },
        {
          id: 'after',
          actionName: 'print',
          dependOn: ['compile'],
          params: { job: '{{tasks.compile.output.job}}' },
        },
      ],
    });
    await env.createInstance('build-1', 'build');
    const [job] = await awaitJobs('build-1');
    expect(job?.spec?.template.spec?.containers[0]).toMatchObject({
      image: 'busybox:1.36',
      command: ['sh', '-c', 'echo built'],
      env: [{ name: 'MODE', value: 'fast' }],
    });
    expect(job?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'DagInstance',
      name: 'build-1',
    });
    await finishJob(job as V1Job, 0);
    const done = await env.finished('build-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['compile']?.output).toEqual({
      job: job?.metadata?.name,
      pod: `${job?.metadata?.name}-x7k2p`,
      exitCode: 0,
    });
    const lines = await traceLines('build-1');
    expect(lines).toContain(`created Job ${job?.metadata?.name} (image busybox:1.36)`);
    expect(
      lines.some((l) => l.startsWith(`(log of Pod ${job?.metadata?.name}-x7k2p unavailable`)),
    ).toBe(true);
    expect(lines).toContain(`deleted Job ${job?.metadata?.name} (succeeded)`);
    expect(await jobsOf('build-1')).toEqual([]);
  });

  it('fails the task with the exit code and reason, and keeps the failed Job (onSuccess)', async () => {
    await env.createDag('broken', {
      tasks: [
        { id: 'test', actionName: 'container', params: { image: 'busybox:1.36', args: ['false'] } },
      ],
    });
    await env.createInstance('broken-1', 'broken');
    const [job] = await awaitJobs('broken-1');
    await finishJob(job as V1Job, 3);
    const done = await env.finished('broken-1');
    expect(done.status?.tasks?.['test']).toMatchObject({ phase: 'Failed', reason: 'ActionFailed' });
    expect(done.status?.tasks?.['test']?.message).toBe(
      `Job ${job?.metadata?.name} failed: container exited with code 3 (Error); ` +
        'BackoffLimitExceeded: BackoffLimitExceeded (set by the test)',
    );
    expect((await jobsOf('broken-1')).map((j) => j.metadata?.name)).toEqual([job?.metadata?.name]);
  });

  it('deletes the Job when the instance is canceled', async () => {
    await env.createDag('long', {
      tasks: [
        {
          id: 'wait',
          actionName: 'container',
          params: { image: 'busybox:1.36', deletePolicy: 'never' },
        },
      ],
    });
    await env.createInstance('long-1', 'long');
    await awaitJobs('long-1');
    await env.kubectl(['annotate', '--overwrite', 'dagi', 'long-1', 'fastflow.io/cancel=now']);
    const done = await env.finished('long-1');
    expect(done.status?.phase).toBe('Canceled');
    for (let i = 0; i < 200 && (await jobsOf('long-1')).length > 0; i++) await sleep(50);
    expect(await jobsOf('long-1')).toEqual([]);
  });

  it('after a worker crash, the next attempt waits for the Job left running instead of a second one', async () => {
    await env.createDag('survive', {
      tasks: [{ id: 'job', actionName: 'container', params: { image: 'busybox:1.36' } }],
    });
    await env.createInstance('survive-1', 'survive');
    const [job] = await awaitJobs('survive-1');
    worker.kill('SIGKILL');
    await worker.exited;
    env.startWorker('worker-b');
    const adopted = `waiting for Job ${job?.metadata?.name}, left running by an earlier attempt`;
    for (let i = 0; i < 600 && !(await traceLines('survive-1')).includes(adopted); i++) {
      await sleep(50);
    }
    expect(await traceLines('survive-1')).toContain(adopted);
    expect(await jobsOf('survive-1')).toHaveLength(1);
    await finishJob(job as V1Job, 0);
    const done = await env.finished('survive-1');
    expect(done.status?.tasks?.['job']).toMatchObject({ phase: 'Succeeded', attempt: 2 });
    expect(done.status?.tasks?.['job']?.output).toMatchObject({ job: job?.metadata?.name });
  });

  it('runs the example of docs/builtin-actions.md', async () => {
    await env.createDag('nightly-build', docDag('builtin-actions.md', 'nightly-build'));
    await env.createInstance('nightly-1', 'nightly-build');
    const [job] = await awaitJobs('nightly-1');
    expect(job?.spec?.template.spec?.containers[0]?.env).toEqual([
      { name: 'MODE', value: 'release' },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'build-secrets', key: 'token' } } },
    ]);
    await finishJob(job as V1Job, 0);
    const done = await env.finished('nightly-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['report']?.params).toEqual({
      job: job?.metadata?.name,
      exitCode: 0,
    });
  });

  it('fails at once, deleting the Job, when its Pod can never start', async () => {
    await env.createDag('typo', {
      tasks: [
        {
          id: 'run',
          actionName: 'container',
          retry: { limit: 2 },
          params: { image: 'busybox:1.36' },
        },
      ],
    });
    await env.createInstance('typo-1', 'typo');
    const [job] = await awaitJobs('typo-1');
    const waiting = { reason: 'InvalidImageName', message: "couldn't parse image name" };
    await podOf(job as V1Job, 'Pending', { waiting });
    const done = await env.finished('typo-1');
    expect(done.status?.tasks?.['run']).toMatchObject({
      phase: 'Failed',
      reason: 'NonRetryable',
      attempt: 1,
      message: `Job ${job?.metadata?.name} cannot start its Pod: InvalidImageName: couldn't parse image name`,
    });
    for (let i = 0; i < 200 && (await jobsOf('typo-1')).length > 0; i++) await sleep(50);
    expect(await jobsOf('typo-1')).toEqual([]);
  });
});
