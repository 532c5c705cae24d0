import { describe, expect, it } from 'vitest';
import type { KubeClients } from '../../operator/kube/client.ts';
import { attemptOf } from '../../test/support/builtin-actions.ts';
import { containerAction } from './container-action.ts';
import {
  ContainerParams,
  exitText,
  hopelessWait,
  jobEnd,
  jobManifest,
  jobName,
  jobToAdopt,
  type JobView,
  ofTask,
  taskJobSelector,
} from './container-job.ts';

const key = { instance: 'nightly-run-1', task: 'build', attempt: 2 };

describe('jobName', () => {
  it('is the same for the same attempt, and differs per attempt, task and instance', () => {
    expect(jobName(key)).toBe(jobName({ ...key }));
    expect(jobName(key)).toMatch(/^nightly-run-1-build-2-[0-9a-f]{8}$/);
    const others = [
      { ...key, attempt: 3 },
      { ...key, task: 'Build' },
      { ...key, instance: 'x' },
    ];
    for (const o of others) expect(jobName(o)).not.toBe(jobName(key));
  });

  it('fits 63 characters and a DNS label, whatever the ids', () => {
    const long = { instance: 'i'.repeat(200), task: 'T.a_s-k'.repeat(9), attempt: 12 };
    for (const k of [long, { instance: '-', task: '_', attempt: 1 }]) {
      expect(jobName(k).length).toBeLessThanOrEqual(63);
      expect(jobName(k)).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });
});

describe('jobManifest', () => {
  it('runs one never-restarted Pod owned by the instance, env from values or Secrets', () => {
    const params = ContainerParams.parse({
      image: 'busybox:1.36',
      command: ['sh', '-c'],
      args: ['echo hi'],
      env: { MODE: 'fast', TOKEN: { secretRef: { name: 'api', key: 'token' } } },
      resources: { limits: { memory: '64Mi' } },
      serviceAccountName: 'builder',
      securityContext: { runAsNonRoot: true },
    });
    const job = jobManifest({ ...key, namespace: 'ns' }, 'uid-1', params) as {
      metadata: unknown;
      spec: { backoffLimit: number; template: { spec: unknown } };
    };
    expect(job.metadata).toMatchObject({
      name: jobName(key),
      namespace: 'ns',
      labels: {
        'fastflow.io/instance': 'nightly-run-1',
        'fastflow.io/task': 'build',
        'fastflow.io/attempt': '2',
      },
      ownerReferences: [{ kind: 'DagInstance', name: 'nightly-run-1', uid: 'uid-1' }],
    });
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.template.spec).toEqual({
      restartPolicy: 'Never',
      serviceAccountName: 'builder',
      containers: [
        {
          name: 'main',
          image: 'busybox:1.36',
          command: ['sh', '-c'],
          args: ['echo hi'],
          env: [
            { name: 'MODE', value: 'fast' },
            { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
          ],
          resources: { limits: { memory: '64Mi' } },
          securityContext: { runAsNonRoot: true },
        },
      ],
    });
  });
});

describe('Job labels', () => {
  it('bounds long names and task keys in labels, keeping them whole in annotations', () => {
    const long = { namespace: 'ns', instance: 'i'.repeat(200), task: 'fanout[3]', attempt: 1 };
    const params = ContainerParams.parse({ image: 'busybox' });
    const meta = (jobManifest(long, 'u', params) as { metadata: JobView['metadata'] }).metadata;
    for (const v of Object.values(meta?.labels ?? {})) expect(v).toMatch(/^[-A-Za-z0-9_.]{1,63}$/);
    expect(meta?.annotations).toMatchObject({ 'fastflow.io/instance': long.instance });
    expect(ofTask({ metadata: meta }, long)).toBe(true);
    expect(ofTask({ metadata: meta }, { ...long, task: 'fanout[4]' })).toBe(false);
    expect(taskJobSelector(long)).toContain(
      `fastflow.io/instance=${meta?.labels?.['fastflow.io/instance']}`,
    );
  });
});

describe('reading Jobs and Pods', () => {
  const cond = (type: string, reason = ''): object => ({
    status: { conditions: [{ type, status: 'True', reason }] },
  });
  it('sees a Job end by its Complete or Failed condition only', () => {
    expect(jobEnd({})).toBeUndefined();
    expect(jobEnd(cond('SuccessCriteriaMet'))).toBeUndefined();
    expect(jobEnd(cond('Complete'))).toMatchObject({ ok: true });
    expect(jobEnd(cond('Failed', 'DeadlineExceeded'))).toMatchObject({
      ok: false,
      reason: 'DeadlineExceeded',
    });
  });

  it('adopts the newest running Job of an earlier attempt, never a finished one', () => {
    const job = (attempt: number, extra: object = {}): object => ({
      metadata: { name: `j${attempt}`, labels: { 'fastflow.io/attempt': String(attempt) } },
      ...extra,
    });
    expect(jobToAdopt([job(1), job(2)], 3)).toMatchObject({ metadata: { name: 'j2' } });
    expect(jobToAdopt([job(1), job(2, cond('Failed'))], 3)).toMatchObject({
      metadata: { name: 'j1' },
    });
    expect(jobToAdopt([job(1, cond('Complete'))], 2)).toBeUndefined();
    expect(jobToAdopt([job(3)], 3)).toBeUndefined();
  });

  it('says why a Pod can never start, and what its container exited with', () => {
    const pod = (state: object): object => ({
      status: { containerStatuses: [{ name: 'main', state }] },
    });
    expect(hopelessWait(pod({ waiting: { reason: 'InvalidImageName', message: 'bad' } }))).toBe(
      'InvalidImageName: bad',
    );
    expect(hopelessWait(pod({ waiting: { reason: 'ImagePullBackOff' } }))).toBeUndefined();
    expect(exitText(pod({ terminated: { exitCode: 3, reason: 'Error' } }))).toEqual({
      exitCode: 3,
      text: 'exited with code 3 (Error)',
    });
    expect(exitText(undefined).exitCode).toBeUndefined();
  });
});

describe('container: rejected params name the field', () => {
  const container = containerAction({} as KubeClients);
  it.each([
    [{}, 'params.image'],
    [{ image: 'has space' }, 'params.image: must be an image reference'],
    [{ image: 'a', command: 'echo hi' }, 'params.command'],
    [{ image: 'a', args: [1] }, 'params.args[0]'],
    [{ image: 'a', env: { 'BAD=': 'x' } }, 'params.env'],
    [{ image: 'a', env: { K: { secretRef: { name: 'n' } } } }, 'params.env.K'],
    [{ image: 'a', resources: { limits: { memory: 'lots' } } }, 'params.resources.limits.memory'],
    [{ image: 'a', resources: { request: {} } }, 'params.resources'],
    [{ image: 'a', serviceAccountName: 'Not_Valid' }, 'params.serviceAccountName'],
    [{ image: 'a', securityContext: 'privileged' }, 'params.securityContext'],
    [{ image: 'a', deletePolicy: 'sometimes' }, 'params.deletePolicy'],
    [{ image: 'a', logTailLines: 500 }, 'params.logTailLines'],
    [{ image: 'a', activeDeadlineSeconds: 0 }, 'params.activeDeadlineSeconds'],
    [{ image: 'a', privileged: true }, 'privileged'],
  ])('refuses %j', async (params, named) => {
    const { outcome } = await attemptOf(container, params);
    expect(outcome).toMatchObject({ event: 'AttemptFailed', reason: 'InvalidParams' });
    expect((outcome as { message: string }).message).toContain(named);
  });
});
