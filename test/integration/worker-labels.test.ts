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
import { createTestNamespace } from '../support/cluster.ts';
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
});
