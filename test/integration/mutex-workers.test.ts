import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

const critical = fileURLToPath(new URL('../support/actions/critical.ts', import.meta.url));
let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('mutex-workers'));
  env.startOperator('operator-a');
  // Three slots each: the six tasks fill both workers (an instance packs onto free slots).
  env.startWorker('left', { actions: [critical], concurrency: 3 });
  env.startWorker('right', { actions: [critical], concurrency: 3 });
  // Both must be live for the operator, not only hold their Leases.
  await env.workerInUse('left');
  await env.workerInUse('right');
});
afterAll(async () => env.stop());

it('ctx.mutex makes tasks on two workers take turns', async () => {
  const ids = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
  await env.createDag('contend', { tasks: ids.map((id) => ({ id, actionName: 'critical' })) });
  await env.createInstance('contend-1', 'contend');
  const done = await env.finished('contend-1', 60_000);
  expect(done.status?.phase).toBe('Succeeded');
  const tasks = ids.map((id) => done.status?.tasks?.[id]);
  // Both workers ran some of them...
  expect(new Set(tasks.map((t) => t?.worker?.split('-')[0]))).toEqual(new Set(['left', 'right']));
  // ...and no two critical sections overlapped.
  const spans = tasks
    .map((t) => t?.output as { entered: number; left: number })
    .sort((a, b) => a.entered - b.entered);
  for (let i = 1; i < spans.length; i++) {
    expect(spans[i]?.entered).toBeGreaterThanOrEqual(spans[i - 1]?.left ?? Infinity);
  }
});
