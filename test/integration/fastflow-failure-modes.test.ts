// fastflow's failure modes (../shared/reference/fastflow.md §13), each shown
// not to happen here by a test named after it (search the tests for "§13."):
//  §13.1  workers.test.ts          §13.2, §13.3, §13.8  task-behaviour.test.ts
//  §13.5, §13.9  crds.test.ts       §13.6, §13.7  actions-runtime/report-writer.test.ts
//  §13.10 workers.test.ts           §13.11, §13.19  operator/core/decide.test.ts
//  §13.12, §13.13  fencing.test.ts  §13.16  actions-runtime/local-attempts.test.ts
//  §13.17 actions-runtime/mutex.test.ts
//  §13.4, §13.14, §13.15, §13.21, §13.22  below.
// Not applicable: §13.18 (object names are unique by the API server; no id
// generator), §13.20 (nothing polls: watches), §13.9's cron (kept, documented
// as unused).
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { shareDataName } from '../../operator/store/share-data.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

const dataActions = fileURLToPath(new URL('../support/actions/data.ts', import.meta.url));
const flaky = fileURLToPath(new URL('../support/actions/flaky.ts', import.meta.url));
const nap = fileURLToPath(new URL('../support/actions/nap.ts', import.meta.url));
let env: FastflowEnv;
let operator: ReturnType<FastflowEnv['startOperator']>;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('failure-modes'));
  operator = env.startOperator('operator-a');
  env.startWorker('solo', { concurrency: 1, actions: [nap] });
  env.startWorker('many', { concurrency: 8, actions: [dataActions, flaky] });
});
afterAll(async () => env.stop());

it('§13.4 a poison instance does not stall the others', async () => {
  // An instance whose Dag is invalid, and one whose Dag is missing, next to a good one.
  await env.createDag('poison', {
    tasks: [{ id: 'a', actionName: 'print', dependOn: ['nowhere'] }],
  });
  await env.createDag('good', { tasks: [{ id: 'a', actionName: 'print' }] });
  await env.createInstance('poison-1', 'poison');
  await env.createInstance('missing-1', 'absent');
  await env.createInstance('good-1', 'good');
  expect((await env.finished('good-1')).status?.phase).toBe('Succeeded');
  expect((await env.finished('poison-1')).status?.phase).toBe('Failed');
  expect((await env.finished('missing-1')).status?.phase).toBe('Failed');
});

it('§13.14 a timeout counts from when the action starts, not from when it was queued', async () => {
  // One worker with one slot has `nap`: the third task waits ≈2 s in its queue,
  // longer than its own timeout, and still succeeds.
  await env.createDag('queued', {
    tasks: [
      { id: 'first', actionName: 'nap', params: { seconds: 1 }, timeoutSecs: 3 },
      { id: 'second', actionName: 'nap', params: { seconds: 1 }, timeoutSecs: 2 },
      { id: 'third', actionName: 'nap', params: { seconds: 1 }, timeoutSecs: 2 },
    ],
  });
  await env.createInstance('queued-1', 'queued');
  const done = await env.finished('queued-1', 30_000);
  expect(done.status?.phase).toBe('Succeeded');
  const queuedFor = (id: string): number =>
    Date.parse(done.status?.tasks?.[id]?.startedAt ?? '') -
    Date.parse(done.status?.tasks?.[id]?.scheduledAt ?? '');
  expect(Math.max(queuedFor('second'), queuedFor('third'))).toBeGreaterThan(1900);
});

it('§13.22 editing a Dag never changes a running instance', async () => {
  await env.createDag('edited', {
    tasks: [
      // Long enough to be seen Running: a step pre-assigned behind it may hold the
      // operator's write of that for up to a second (operator/core/chain-hold.ts).
      { id: 'wait', actionName: 'sleep', params: { seconds: 3 } },
      { id: 'then', actionName: 'print', dependOn: ['wait'] },
    ],
  });
  await env.createInstance('edited-1', 'edited');
  await env.waitForInstance('edited-1', (i) => i.status?.tasks?.['wait']?.phase === 'Running');
  // Replace the second task with one whose action no worker has.
  const dag = await env.getDag('edited');
  await env.custom.replaceNamespacedCustomObject({
    group: 'fastflow.io',
    version: 'v1alpha1',
    plural: 'dags',
    namespace: env.namespace,
    name: 'edited',
    body: {
      ...dag,
      spec: { tasks: [{ id: 'other', actionName: 'no-such-action' }] },
    },
  });
  const done = await env.finished('edited-1');
  expect(done.status?.phase).toBe('Succeeded');
  expect(Object.keys(done.status?.tasks ?? {}).sort()).toEqual(['then', 'wait']);
  // A new instance runs the new spec.
  await env.createInstance('edited-2', 'edited');
  const waiting = await env.waitForInstance(
    'edited-2',
    (i) => i.status?.tasks?.['other']?.reason === 'NoWorkerForAction',
  );
  expect(waiting.status?.dagRevision).not.toBe(done.status?.dagRevision);
});

it('§13.15 an operation is acted on exactly once, even when the operator dies right after', async () => {
  await env.createDag('once', {
    tasks: [{ id: 'shaky', actionName: 'flaky', params: { failAttempts: 2 } }],
  });
  await env.createInstance('once-1', 'once');
  expect((await env.finished('once-1')).status?.phase).toBe('Failed');
  await env.kubectl(['annotate', '--overwrite', 'dagi', 'once-1', 'fastflow.io/retry=r1']);
  await env.waitForInstance('once-1', (i) => i.status?.operations?.retry?.value === 'r1');
  operator.kill('SIGKILL');
  operator = env.startOperator('operator-b');
  // Attempt 2 fails too (failAttempts: 2): one retry means exactly attempt 2, never 3.
  const done = await env.waitForInstance(
    'once-1',
    (i) => i.status?.phase === 'Failed' && i.status.tasks?.['shaky']?.attempt === 2,
    30_000,
  );
  await new Promise((r) => setTimeout(r, 1500));
  const again = await env.getInstance('once-1');
  expect(again.status?.tasks?.['shaky']?.attempt).toBe(2);
  expect(again.status?.tasks?.['shaky']?.history?.map((h) => h.attempt)).toEqual([1]);
  expect(done.status?.operations?.retry).toMatchObject({ value: 'r1', result: 'Applied' });
});

it('§13.21 share data: concurrent sets of different keys are never lost', async () => {
  await env.createDag('setters', {
    tasks: [
      { id: 'left', actionName: 'setter', params: { key: 'left', times: 15 } },
      { id: 'right', actionName: 'setter', params: { key: 'right', times: 15 } },
    ],
  });
  await env.createInstance('setters-1', 'setters');
  expect((await env.finished('setters-1')).status?.phase).toBe('Succeeded');
  const cm = await testKubeConfig()
    .makeApiClient(CoreV1Api)
    .readNamespacedConfigMap({ namespace: env.namespace, name: shareDataName('setters-1') });
  expect(cm.data).toEqual({ left: '15', right: '15' });
});
