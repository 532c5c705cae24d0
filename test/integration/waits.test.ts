/**
 * wait and approval tasks on the real control plane, with a real operator
 * and worker: a wait ends by itself (the operator's wake-up, not a poll),
 * signals arrive by plain kubectl, by `kubectl fastflow`, acted on once,
 * recorded under the user the API server authenticated.
 */
import { fileURLToPath } from 'node:url';
import { EventsV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastflowClient, FastflowClientError } from '../../actions-runtime/index.ts';
import type { DagInstance } from '../../operator/api/objects.ts';
import { createTestNamespace, kubectl, testKubeConfig } from '../support/cluster.ts';
import { docDag } from '../support/doc-examples.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { plugin } from '../support/plugin-cli.ts';

const dataActions = fileURLToPath(new URL('../support/actions/data.ts', import.meta.url));
let env: FastflowEnv;

let operator: ReturnType<FastflowEnv['startOperator']>;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('waits'));
  operator = env.startOperator('operator-a');
  env.startWorker('worker', { actions: [dataActions] });
  // The examples of docs/control-flow.md, as written there.
  await env.createDag('approval', docDag('control-flow.md', 'release'));
  await env.createDag('signal', docDag('control-flow.md', 'wait-for-build'));
});
afterAll(async () => env.stop());

const task = (i: DagInstance, id: string) => i.status?.tasks?.[id];
const waiting = (name: string, id: string) =>
  env.waitForInstance(name, (i) => task(i, id)?.reason === 'Waiting');

describe('wait', () => {
  it('for a duration: the next task runs once it has passed', async () => {
    await env.createDag('pause', docDag('control-flow.md', 'cool-down'));
    await env.createInstance('pause-1', 'pause');
    const done = await env.finished('pause-1');
    expect(done.status?.phase).toBe('Succeeded');
    const pause = task(done, 'pause');
    expect(pause?.worker).toBeUndefined();
    const waited = Date.parse(pause?.finishedAt ?? '') - Date.parse(pause?.startedAt ?? '');
    expect(waited).toBeGreaterThanOrEqual(2000);
    expect(Date.parse(task(done, 'after')?.startedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(pause?.finishedAt ?? ''),
    );
  });

  it('until a time', async () => {
    const until = new Date(Date.now() + 800).toISOString();
    await env.createDag('until', {
      tasks: [
        { id: 'pause', type: 'wait', wait: { until } },
        { id: 'after', actionName: 'echo', dependOn: ['pause'] },
      ],
    });
    await env.createInstance('until-1', 'until');
    const done = await env.finished('until-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(Date.parse(task(done, 'pause')?.finishedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(until),
    );
  });

  it('ends on time across an operator restart (Conductor N#3588: an expired WAIT not advancing)', async () => {
    await env.createDag('long-pause', {
      tasks: [
        { id: 'pause', type: 'wait', wait: { duration: '4s' } },
        { id: 'after', actionName: 'echo', dependOn: ['pause'] },
      ],
    });
    await env.createInstance('restart-1', 'long-pause');
    await waiting('restart-1', 'pause');
    // The operator that asked to be woken dies; a new one knows the end from the status alone.
    operator.kill('SIGKILL');
    operator = env.startOperator('operator-b');
    const done = await env.finished('restart-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(task(done, 'pause')?.message).toMatch(/^waited until /);
  });

  it('for a signal: its payload is the output the next task reads', async () => {
    await env.createInstance('signal-1', 'signal');
    await waiting('signal-1', 'build');
    const sent = await plugin([
      'signal',
      'signal-1',
      'build',
      '{"version":"1.2.3"}',
      '-n',
      env.namespace,
    ]);
    expect(sent).toEqual({
      code: 0,
      stdout: 'daginstance/signal-1: signal applied: build by admin\n',
      stderr: '',
    });
    const done = await env.finished('signal-1');
    expect(task(done, 'build')).toMatchObject({
      phase: 'Succeeded',
      reason: 'Signaled',
      output: { version: '1.2.3' },
    });
    expect(task(done, 'deploy')?.output).toMatchObject({ result: { deploying: '1.2.3' } });
  });
});

describe('approval', () => {
  it('approved with plain kubectl: who and when are recorded, the next task runs', async () => {
    await env.createInstance('approve-1', 'approval');
    await waiting('approve-1', 'sign-off');
    const who = await kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    const r = await kubectl([
      'annotate',
      '--overwrite',
      '-n',
      env.namespace,
      'dagi',
      'approve-1',
      `fastflow.io/signal=${Date.now()}:approve:sign-off:LGTM`,
      `fastflow.io/signal-by=${who.stdout}`,
    ]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const done = await env.finished('approve-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(task(done, 'sign-off')).toMatchObject({
      reason: 'Approved',
      output: { approved: true, by: 'admin', message: 'LGTM' },
    });
    expect(task(done, 'deploy')?.output).toMatchObject({ result: { approvedBy: 'admin' } });
    expect(done.status?.operations?.signal).toMatchObject({ result: 'Applied', by: 'admin' });
  });

  it('approved with the plugin', async () => {
    await env.createInstance('approve-2', 'approval');
    await waiting('approve-2', 'sign-off');
    const r = await plugin([
      'approve',
      'approve-2',
      'sign-off',
      '-m',
      'ship it',
      '-n',
      env.namespace,
    ]);
    expect(r).toEqual({
      code: 0,
      stdout: 'daginstance/approve-2: approve applied: sign-off by admin: ship it\n',
      stderr: '',
    });
    expect((await env.finished('approve-2')).status?.phase).toBe('Succeeded');
  });

  it('approved with the SDK client, which refuses a second decision with the reason', async () => {
    const client = new FastflowClient(testKubeConfig(), { namespace: env.namespace });
    await env.createInstance('approve-3', 'approval');
    await waiting('approve-3', 'sign-off');
    const record = await client.approve('approve-3', 'sign-off', { message: 'from code' });
    expect(record).toMatchObject({
      result: 'Applied',
      by: 'admin',
      message: 'approve: sign-off by admin: from code',
    });
    const again = client.reject('approve-3', 'sign-off');
    await expect(again).rejects.toThrow('reject: sign-off is Succeeded, not waiting');
    await expect(again).rejects.toBeInstanceOf(FastflowClientError);
  });

  it('rejected: the task fails saying who and when, the branch does not run', async () => {
    await env.createInstance('reject-1', 'approval');
    await waiting('reject-1', 'sign-off');
    const r = await plugin([
      'reject',
      'reject-1',
      'sign-off',
      '--message',
      'not today',
      '-n',
      env.namespace,
    ]);
    expect(r.code).toBe(0);
    const done = await env.finished('reject-1');
    expect(done.status?.phase).toBe('Failed');
    const gate = task(done, 'sign-off');
    expect(gate).toMatchObject({
      phase: 'Failed',
      reason: 'Rejected',
      output: { approved: false, by: 'admin' },
    });
    expect(gate?.message).toMatch(/^rejected by admin at \S+Z: not today$/);
    expect(task(done, 'deploy')).toBeUndefined();
  });

  it('a signal to a task that is not waiting is refused with the reason, and leaves an Event', async () => {
    await env.createInstance('refuse-1', 'approval');
    await waiting('refuse-1', 'sign-off');
    const wrong = await plugin(['approve', 'refuse-1', 'deploy', '-n', env.namespace]);
    expect(wrong).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: daginstance/refuse-1: approve refused by the operator: deploy has type action; approve applies to approval tasks\n',
    });
    const unknown = await plugin(['approve', 'refuse-1', 'nope', '-n', env.namespace]);
    expect(unknown.stderr).toContain('approve refused by the operator: no task nope in this Dag');
    const events = await testKubeConfig()
      .makeApiClient(EventsV1Api)
      .listNamespacedEvent({ namespace: env.namespace });
    const notes = events.items
      .filter((e) => e.regarding?.name === 'refuse-1')
      .map((e) => `${e.reason}: ${e.note}`);
    expect(notes).toContainEqual(
      expect.stringMatching(/^OperationRefused: approve: deploy has type action.* by admin\)$/),
    );
  });
});
