/**
 * Results are fenced by attempt where the operator folds them in: the test
 * plays two workers (their Leases and their report writers) against a real
 * operator, so it can let the first one be presumed dead and replay its late
 * result after the task went to the second.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DagInstance } from '../../operator/api/objects.ts';
import { taskResultResource } from '../../operator/api/names.ts';
import { isNotFound, toKubeError } from '../../operator/kube/errors.ts';
import { taskResultName } from '../../operator/store/task-results.ts';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { scriptedWorker, type ScriptedWorker } from '../support/scripted-worker.ts';

let env: FastflowEnv;
const writers = new Map<string, ScriptedWorker['writer']>();
const workers: ScriptedWorker[] = [];

/** A worker Lease the test keeps alive (as a worker's heartbeat does) until `die`. */
async function fakeWorker(name: string): Promise<ScriptedWorker> {
  const w = await scriptedWorker(env, name);
  workers.push(w);
  writers.set(name, w.writer);
  return w;
}

const taskA = (i: DagInstance) => i.status?.tasks?.['a'];

async function resultGone(instance: string, worker: string): Promise<void> {
  const name = taskResultName(instance, worker);
  for (;;) {
    try {
      await env.custom.getNamespacedCustomObject({
        ...taskResultResource,
        namespace: env.namespace,
        name,
      });
    } catch (e) {
      if (isNotFound(toKubeError(e))) return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('fencing'));
  env.startOperator('operator-a');
  await env.createDag('one', { tasks: [{ id: 'a', actionName: 'print' }] });
});
afterAll(async () => {
  for (const w of workers) w.stop();
  await env.stop();
});

it('§13.12 §13.13 discards the late result of an attempt given to another worker, and folds the current one', async () => {
  const zombie = await fakeWorker('zombie-aaaaa');
  await env.createInstance('late', 'one');
  const first = await env.waitForInstance('late', (i) => taskA(i)?.worker === 'zombie-aaaaa');
  expect(taskA(first)).toMatchObject({ phase: 'Scheduled', attempt: 1 });

  // The zombie is presumed dead; attempt 2 goes to the heir.
  zombie.die();
  const heir = await fakeWorker('heir-bbbbb');
  await env.waitForInstance('late', (i) => taskA(i)?.worker === 'heir-bbbbb');
  const ref = { namespace: env.namespace, name: 'late', uid: first.metadata.uid ?? '' };

  // Attempt 1's result arrives late: written, then discarded and deleted by the operator.
  const finishedAt = new Date().toISOString();
  const late = { task: 'a', worker: 'zombie-aaaaa', attempt: 1 };
  expect(
    await zombie.writer.report(ref, { ...late, event: 'AttemptSucceeded', set: { finishedAt } }),
  ).toBe(true);
  await resultGone('late', 'zombie-aaaaa');
  const after = await env.getInstance('late');
  expect(taskA(after)).toMatchObject({ phase: 'Scheduled', worker: 'heir-bbbbb', attempt: 2 });
  expect(after.status?.phase).toBe('Running');

  // The current attempt's result counts.
  const current = { task: 'a', worker: 'heir-bbbbb', attempt: 2 };
  expect(
    await heir.writer.report(ref, { ...current, event: 'AttemptSucceeded', set: { finishedAt } }),
  ).toBe(true);
  const done = await env.finished('late');
  expect(done.status?.phase).toBe('Succeeded');
  expect(taskA(done)).toMatchObject({ phase: 'Succeeded', worker: 'heir-bbbbb', attempt: 2 });
  expect(taskA(done)?.history?.map((h) => [h.attempt, h.reason])).toEqual([[1, 'WorkerLost']]);
  await resultGone('late', 'heir-bbbbb');
});

it('a result the API server refuses to store fails its task with ResultRefused, saying why', async () => {
  await fakeWorker('honest-ccccc');
  await env.createInstance('refused', 'one');
  // Whichever live fake worker gets the task reports on it.
  const assigned = await env.waitForInstance('refused', (i) => writers.has(taskA(i)?.worker ?? ''));
  const name = taskA(assigned)?.worker ?? '';
  const writer = writers.get(name);
  const ref = { namespace: env.namespace, name: 'refused', uid: assigned.metadata.uid ?? '' };
  const attempt = { task: 'a', worker: name, attempt: taskA(assigned)?.attempt ?? 1 };
  // An output over the TaskResult schema's limit (the SDK refuses it earlier; the API server is the backstop).
  const output = 'x'.repeat(9000);
  const set = { finishedAt: new Date().toISOString(), output };
  expect(await writer?.report(ref, { ...attempt, event: 'AttemptSucceeded', set })).toBe(false);
  const failed = await env.finished('refused');
  expect(failed.status?.phase).toBe('Failed');
  expect(taskA(failed)).toMatchObject({ phase: 'Failed', reason: 'ResultRefused' });
  expect(taskA(failed)?.message).toMatch(/^the API server refused to store the result: .*output/);
  expect(taskA(failed)?.output).toBeUndefined();
});
