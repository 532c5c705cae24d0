// Attempt traces bounded per instance by the operator: the last attempts of
// each task, and a total.
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceStore } from '../../operator/store/traces.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

const flaky = fileURLToPath(new URL('../support/actions/flaky.ts', import.meta.url));
const traces = new TraceStore(testKubeConfig().makeApiClient(CoreV1Api));
let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('trace-gc'));
  env.startOperator('operator-a', {
    env: { FASTFLOW_TRACE_ATTEMPTS_PER_TASK: '2', FASTFLOW_TRACES_PER_INSTANCE: '4' },
  });
  env.startWorker('worker', { actions: [flaky] });
});
afterAll(async () => env.stop());

/** Waits until the instance's traces, as [task, attempt] pairs, satisfy `ok`. */
async function tracesOf(
  instance: string,
  ok: (t: [string, number][]) => boolean,
  timeoutMs = 60_000,
): Promise<[string, number][]> {
  const deadline = Date.now() + timeoutMs;
  let seen: [string, number][] = [];
  while (Date.now() < deadline) {
    seen = (await traces.read({ namespace: env.namespace, name: instance })).map((t) => [
      t.task,
      t.attempt,
    ]);
    if (ok(seen)) return seen;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`traces of ${instance}: ${JSON.stringify(seen)}; logs: ${env.logs}`);
}

describe('trace collection', () => {
  it("keeps the traces of each task's last 2 attempts", async () => {
    await env.createDag('retried', {
      tasks: [
        {
          id: 'r',
          actionName: 'traced-flaky',
          params: { failAttempts: 4 },
          retry: { limit: 4, backoff: { seconds: 0 } },
        },
      ],
    });
    await env.createInstance('retried-1', 'retried');
    const done = await env.finished('retried-1');
    expect(done.status?.tasks?.['r']).toMatchObject({ phase: 'Succeeded', attempt: 5 });
    const kept = await tracesOf('retried-1', (t) => t.length === 2);
    expect(kept).toEqual([
      ['r', 4],
      ['r', 5],
    ]);
  });

  it('keeps at most 4 traces of an instance in all', async () => {
    await env.createDag('wide', {
      tasks: Array.from({ length: 6 }, (_, i) => ({ id: `p${i}`, actionName: 'print' })),
    });
    await env.createInstance('wide-1', 'wide');
    expect((await env.finished('wide-1')).status?.phase).toBe('Succeeded');
    const kept = await tracesOf('wide-1', (t) => t.length === 4);
    expect(kept.every(([, attempt]) => attempt === 1)).toBe(true);
  });
});
