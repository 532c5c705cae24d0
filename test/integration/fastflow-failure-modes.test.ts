// fastflow's failure modes (../shared/reference/fastflow.md §13), each shown
// not to happen here. Modes covered where their feature is tested say so:
//  §13.1  dead worker strands its instances      -> workers.test.ts (kill -9 a worker mid-task)
//  §13.2  retry/continue on the wrong tasks      -> task-behaviour.test.ts (refused retry)
//  §13.3  continue that does not resume           -> task-behaviour.test.ts (preCheck block + continue)
//  §13.8  best-effort cancel                      -> task-behaviour.test.ts (cancel a running instance)
//  §13.9  unknown YAML keys ignored               -> crds.test.ts (strict field validation)
//  §13.10 "action not found" at run time          -> workers.test.ts (task waits for a worker with its action)
//  §13.11 final status depends on DFS order       -> operator/core/decide.test.ts, decide.property.test.ts
//  §13.12 whole-document replaces race            -> fencing.test.ts
//  §13.13 a zombie worker turns failed into success -> fencing.test.ts, run-attempt.test.ts
//  §13.16 a stale copy re-executes a task         -> actions-runtime/local-attempts.test.ts
//  §13.19 dispatcher piles work on one node       -> operator/core/decide.test.ts (spreads a wide fan-out)
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('failure-modes'));
  env.startOperator('operator-a');
  env.startWorker('solo', { concurrency: 1 });
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
  // One slot: the second task waits ≈1 s in the queue, longer than its own run.
  await env.createDag('queued', {
    tasks: [
      { id: 'first', actionName: 'sleep', params: { seconds: 1 }, timeoutSecs: 3 },
      { id: 'second', actionName: 'sleep', params: { seconds: 1 }, timeoutSecs: 2 },
      { id: 'third', actionName: 'sleep', params: { seconds: 1 }, timeoutSecs: 2 },
    ],
  });
  await env.createInstance('queued-1', 'queued');
  const done = await env.finished('queued-1', 30_000);
  expect(done.status?.phase).toBe('Succeeded');
});

it('§13.22 editing a Dag never changes a running instance', async () => {
  await env.createDag('edited', {
    tasks: [
      { id: 'wait', actionName: 'sleep', params: { seconds: 1 } },
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
