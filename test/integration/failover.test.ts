import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('failover'));
});
afterAll(async () => env.stop());

it('finishes every instance when the leader is killed with -9', async () => {
  const operators = {
    'operator-a': env.startOperator('operator-a'),
    'operator-b': env.startOperator('operator-b'),
  };
  env.startWorker('worker-1');
  env.startWorker('worker-2');
  await env.createDag('steps', {
    tasks: [
      { id: 's1', actionName: 'sleep', params: { seconds: 0.5 } },
      { id: 's2', actionName: 'sleep', dependOn: ['s1'], params: { seconds: 0.5 } },
      { id: 's3', actionName: 'sleep', dependOn: ['s2'], params: { seconds: 0.5 } },
      { id: 's4', actionName: 'sleep', dependOn: ['s3'], params: { seconds: 0.5 } },
    ],
  });
  const names = Array.from({ length: 6 }, (_, i) => `steps-${i}`);
  for (const name of names) await env.createInstance(name, 'steps');
  await env.waitForInstance(
    names[0] as string,
    (i) => i.status?.tasks?.['s1']?.phase === 'Succeeded',
  );

  const leader = await env.leaderIdentity();
  expect(leader === 'operator-a' || leader === 'operator-b').toBe(true);
  operators[leader as keyof typeof operators].kill('SIGKILL');

  for (const name of names) {
    const done = await env.finished(name, 60_000);
    expect(done.status?.phase).toBe('Succeeded');
  }
  const standby = leader === 'operator-a' ? 'operator-b' : 'operator-a';
  expect(await env.leaderIdentity()).toBe(standby);
});
