/**
 * Watch fan-out: an instance carries the label `w.fastflow.io/<worker>` only
 * for the workers holding a Scheduled or Running task of it, so its writes
 * reach only them (and the operator). A worker whose last task there ends
 * loses the label; assigned again, it gets it back and runs the task.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OPERATION_ANNOTATIONS,
  WORKER_LABEL_PREFIX,
  workerLabel,
} from '../../operator/api/names.ts';
import type { DagInstance } from '../../operator/api/objects.ts';
import { watchInstance } from '../../actions-runtime/client/wait.ts';
import { makeClients } from '../../operator/kube/client.ts';
import { silentLogger } from '../../operator/log.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('worker-labels'));
  env.startOperator('operator-a');
  // One task at a time each: two tasks ready together go to two workers.
  env.startWorker('wa', { concurrency: 1 });
  env.startWorker('wb', { concurrency: 1 });
  await env.workerInUse('wa');
  await env.workerInUse('wb');
}, 120_000);
afterAll(async () => env.stop());

const workerLabels = (i: DagInstance): string[] =>
  Object.keys(i.metadata.labels ?? {}).filter((k) => k.startsWith(WORKER_LABEL_PREFIX));

async function annotate(name: string, key: string, value: string): Promise<void> {
  const res = await env.kubectl(['annotate', '--overwrite', 'dagi', name, `${key}=${value}`]);
  expect(res.stderr).toBe('');
}

describe('worker labels', () => {
  it("drops a worker's label when its last task ends, keeps the one still running", async () => {
    await env.createDag('split', {
      tasks: [
        { id: 'quick', actionName: 'print' },
        { id: 'slow', actionName: 'sleep', params: { seconds: 600 } },
      ],
    });
    await env.createInstance('split-1', 'split');
    const seen = await env.waitForInstance('split-1', (i) => {
      const { quick, slow } = i.status?.tasks ?? {};
      return (
        quick?.phase === 'Succeeded' &&
        slow?.phase === 'Running' &&
        workerLabels(i).join() === workerLabel(slow.worker ?? '')
      );
    });
    const { quick, slow } = seen.status?.tasks ?? {};
    expect(quick?.worker).not.toBe(slow?.worker);

    await annotate('split-1', OPERATION_ANNOTATIONS.cancel, '1');
    const done = await env.waitForInstance(
      'split-1',
      (i) => i.status?.phase === 'Canceled' && workerLabels(i).length === 0,
    );
    expect(done.status?.tasks?.['slow']?.phase).toBe('Canceled');
  });

  it('labels a worker again when it is assigned a task after its label was dropped', async () => {
    await env.createDag('gate', {
      vars: { env: { defaultValue: 'prod' } },
      tasks: [
        { id: 'first', actionName: 'print' },
        {
          id: 'gate',
          actionName: 'print',
          dependOn: ['first'],
          preCheck: {
            approval: {
              act: 'block',
              conditions: [{ source: 'vars', key: 'env', op: 'in', values: ['prod'] }],
            },
          },
        },
        { id: 'last', actionName: 'print', dependOn: ['gate'] },
      ],
    });
    await env.createInstance('gate-1', 'gate');
    // Blocked: nobody holds a task, so no worker sees the instance's writes.
    const blocked = await env.waitForInstance(
      'gate-1',
      (i) => i.status?.phase === 'Blocked' && workerLabels(i).length === 0,
    );
    expect(blocked.status?.tasks?.['first']?.phase).toBe('Succeeded');

    await annotate('gate-1', OPERATION_ANNOTATIONS.continue, '1:gate');
    const done = await env.waitForInstance(
      'gate-1',
      (i) => i.status?.phase === 'Succeeded' && workerLabels(i).length === 0,
    );
    for (const id of ['gate', 'last']) {
      expect(done.status?.tasks?.[id]).toMatchObject({ phase: 'Succeeded', attempt: 1 });
    }
  });

  // The pass that starts an instance labels first (core/start-labels.ts): the label write is
  // cheapest on the object without a status, and the worker runs its task from the status write.
  it("adds the worker's label before the status write that starts the instance, and runs the task there", async () => {
    await env.createDag('one-slot', {
      maxRunningInstances: 1,
      tasks: [{ id: 'nap', actionName: 'sleep', params: { seconds: 600 } }],
    });
    await env.createInstance('one-slot-1', 'one-slot');
    await env.waitForInstance('one-slot-1', (i) => i.status?.tasks?.['nap']?.phase === 'Running');
    // Waits for the slot: it exists, so its every version can be watched from before it starts.
    await env.createInstance('one-slot-2', 'one-slot');
    await env.waitForInstance('one-slot-2', (i) => i.status?.phase === 'Pending');
    const seen: DagInstance[] = [];
    let listed = (): void => {};
    const first = new Promise<void>((resolve) => (listed = resolve));
    const clients = makeClients(testKubeConfig(env.kubeconfigPath), { userAgent: 'labels-test' });
    const ref = { namespace: env.namespace, name: 'one-slot-2' };
    const running = watchInstance(
      clients,
      silentLogger(),
      ref,
      (i) => {
        seen.push(i);
        listed();
        return i.status?.tasks?.['nap']?.phase === 'Running' ? i : undefined;
      },
      { timeoutMs: 60_000 },
    );
    await first;
    await annotate('one-slot-1', OPERATION_ANNOTATIONS.cancel, '1');
    const started = await running;

    const worker = started.status?.tasks?.['nap']?.worker ?? '';
    const labelledAt = seen.findIndex((i) => workerLabels(i).length > 0);
    expect(workerLabels(seen[labelledAt]!)).toEqual([workerLabel(worker)]);
    // Labelled first: that version does not assign the task yet; every later one keeps the label.
    expect(seen[labelledAt]?.status?.dagRevision).toBeUndefined();
    for (const i of seen.slice(labelledAt)) expect(workerLabels(i)).toEqual([workerLabel(worker)]);

    await annotate('one-slot-2', OPERATION_ANNOTATIONS.cancel, '1');
    await env.waitForInstance(
      'one-slot-2',
      (i) => i.status?.phase === 'Canceled' && workerLabels(i).length === 0,
    );
  }, 120_000);
});
