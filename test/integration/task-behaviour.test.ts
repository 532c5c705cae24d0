import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

const flaky = fileURLToPath(new URL('../support/actions/flaky.ts', import.meta.url));
let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('behaviour'));
  env.startOperator('operator-a');
  env.startWorker('worker', { actions: [flaky] });
});
afterAll(async () => env.stop());

const annotate = (name: string, key: string, value: string) =>
  env.kubectl(['annotate', '--overwrite', 'dagi', name, `fastflow.io/${key}=${value}`]);

describe('retries', () => {
  it('retries a failed attempt under the task policy, keeping the attempt history', async () => {
    await env.createDag('retry-policy', {
      tasks: [
        {
          id: 'shaky',
          actionName: 'flaky',
          params: { failAttempts: 2 },
          retry: { limit: 3, backoff: { seconds: 0.2, factor: 2 } },
        },
      ],
    });
    await env.createInstance('retry-policy-1', 'retry-policy');
    const done = await env.finished('retry-policy-1');
    expect(done.status?.phase).toBe('Succeeded');
    const shaky = done.status?.tasks?.['shaky'];
    expect(shaky).toMatchObject({ phase: 'Succeeded', attempt: 3 });
    expect(shaky?.history?.map((h) => [h.attempt, h.phase, h.message])).toEqual([
      [1, 'Failed', 'attempt 1 fails on purpose'],
      [2, 'Failed', 'attempt 2 fails on purpose'],
    ]);
  });

  it('§13.2 fails at once when the retries are used up; a retry of the wrong task is refused, a manual retry runs it again', async () => {
    await env.createDag('manual-retry', {
      tasks: [
        { id: 'shaky', actionName: 'flaky', params: { failAttempts: 1 } },
        { id: 'after', actionName: 'print', dependOn: ['shaky'] },
      ],
    });
    await env.createInstance('manual-retry-1', 'manual-retry');
    const failed = await env.finished('manual-retry-1');
    expect(failed.status?.phase).toBe('Failed');
    expect(failed.status?.message).toContain('task shaky failed: attempt 1 fails on purpose');

    // A retry of a task that has not failed is refused, and changes nothing.
    expect((await annotate('manual-retry-1', 'retry', 'r1:after')).code).toBe(0);
    const refused = await env.waitForInstance(
      'manual-retry-1',
      (i) => i.status?.operations?.retry?.value === 'r1:after',
    );
    expect(refused.status?.operations?.retry).toMatchObject({ result: 'Refused' });
    expect(refused.status?.operations?.retry?.message).toContain('after is Pending');
    expect(refused.status?.phase).toBe('Failed');

    expect((await annotate('manual-retry-1', 'retry', 'r2')).code).toBe(0);
    const done = await env.waitForInstance(
      'manual-retry-1',
      (i) => i.status?.phase === 'Succeeded',
    );
    expect(done.status?.operations?.retry).toMatchObject({ value: 'r2', result: 'Applied' });
    // Each operation leaves a Kubernetes Event on the instance.
    const events = await env.kubectl([
      'get',
      'events.events.k8s.io',
      '--field-selector',
      'regarding.name=manual-retry-1',
      '-o',
      'jsonpath={range .items[*]}{.reason}={.note}{"\\n"}{end}',
    ]);
    expect(events.stdout).toContain(
      'OperationRefused=retry: only failed or canceled tasks can be retried',
    );
    expect(events.stdout).toContain('OperationApplied=retry: shaky (fastflow.io/retry=r2)');
    expect(done.status?.tasks?.['shaky']).toMatchObject({ phase: 'Succeeded', attempt: 2 });
    expect(done.status?.finishTime).toBeDefined();
  });
});

describe('preCheck', () => {
  it('§13.3 skips a task (its children still run) and blocks one until it is continued, which resumes it', async () => {
    await env.createDag('checks', {
      vars: { env: { defaultValue: 'prod' } },
      tasks: [
        {
          id: 'notify',
          actionName: 'print',
          preCheck: {
            quiet: {
              act: 'skip',
              conditions: [{ source: 'vars', key: 'env', op: 'in', values: ['prod'] }],
            },
          },
        },
        { id: 'after-notify', actionName: 'print', dependOn: ['notify'] },
        {
          id: 'deploy',
          actionName: 'print',
          preCheck: [
            {
              act: 'block',
              conditions: [{ source: 'vars', key: 'env', op: 'eq', values: ['prod'] }],
            },
          ],
        },
        { id: 'verify', actionName: 'print', dependOn: ['deploy'] },
      ],
    });
    await env.createInstance('checks-1', 'checks');
    const blocked = await env.waitForInstance('checks-1', (i) => i.status?.phase === 'Blocked');
    expect(blocked.status?.tasks?.['notify']).toMatchObject({
      phase: 'Skipped',
      reason: 'PreCheck',
    });
    expect(blocked.status?.tasks?.['after-notify']?.phase).toBe('Succeeded');
    expect(blocked.status?.tasks?.['deploy']).toMatchObject({
      phase: 'Blocked',
      message: 'blocked by preCheck "#0"',
    });
    expect(blocked.status?.tasks?.['verify']).toBeUndefined();

    await annotate('checks-1', 'continue', 'c1');
    const done = await env.finished('checks-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['deploy']).toMatchObject({ phase: 'Succeeded', continued: true });
    expect(done.status?.tasks?.['verify']?.phase).toBe('Succeeded');
  });
});

describe('cancel and time limits', () => {
  it('§13.8 cancels a running instance: the running task is aborted and nothing new starts', async () => {
    await env.createDag('long', {
      tasks: [
        { id: 'nap', actionName: 'sleep', params: { seconds: 30 } },
        { id: 'after', actionName: 'print', dependOn: ['nap'] },
      ],
    });
    await env.createInstance('long-1', 'long');
    await env.waitForInstance('long-1', (i) => i.status?.tasks?.['nap']?.phase === 'Running');
    await annotate('long-1', 'cancel', 'stop-now');
    const canceled = await env.finished('long-1', 10_000);
    expect(canceled.status?.phase).toBe('Canceled');
    expect(canceled.status?.tasks?.['nap']).toMatchObject({
      phase: 'Canceled',
      reason: 'Canceled',
    });
    expect(canceled.status?.tasks?.['after']?.phase).toBe('Canceled');
    // The worker's late result of the aborted attempt is fenced off: once the operator has
    // discarded it as stale (it says so), the task is still Canceled.
    await env.logLine(
      'operator-a.log',
      (l) =>
        l['msg'] === 'stale result discarded' &&
        l['instance'] === `${env.namespace}/long-1` &&
        l['key'] === 'nap@1',
    );
    expect((await env.getInstance('long-1')).status?.tasks?.['nap']?.phase).toBe('Canceled');
  });

  it('fails an attempt that outlives timeoutSecs with reason TimedOut', async () => {
    await env.createDag('slowpoke', {
      tasks: [{ id: 'nap', actionName: 'sleep', params: { seconds: 30 }, timeoutSecs: 1 }],
    });
    await env.createInstance('slowpoke-1', 'slowpoke');
    const done = await env.finished('slowpoke-1', 20_000);
    expect(done.status?.phase).toBe('Failed');
    expect(done.status?.tasks?.['nap']).toMatchObject({ phase: 'Failed', reason: 'TimedOut' });
  });

  it('fails an instance that runs past activeDeadlineSeconds', async () => {
    await env.createDag('deadline', {
      tasks: [{ id: 'nap', actionName: 'sleep', params: { seconds: 30 } }],
    });
    await env.custom.createNamespacedCustomObject({
      group: 'fastflow.io',
      version: 'v1alpha1',
      plural: 'daginstances',
      namespace: env.namespace,
      body: {
        apiVersion: 'fastflow.io/v1alpha1',
        kind: 'DagInstance',
        metadata: { name: 'deadline-1' },
        spec: { dagRef: { name: 'deadline' }, activeDeadlineSeconds: 2 },
      },
    });
    const done = await env.finished('deadline-1', 20_000);
    expect(done.status?.phase).toBe('Failed');
    expect(done.status?.conditions?.find((c) => c.type === 'Succeeded')?.reason).toBe(
      'DeadlineExceeded',
    );
    expect(done.status?.tasks?.['nap']).toMatchObject({
      phase: 'Failed',
      reason: 'DeadlineExceeded',
    });
  });
});
