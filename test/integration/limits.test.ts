import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DagInstance } from '../../operator/api/objects.ts';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('limits'));
  env.startOperator('operator-a');
  env.startWorker('worker', { concurrency: 8 });
});
afterAll(async () => env.stop());

const condition = (i: DagInstance) => i.status?.conditions?.find((c) => c.type === 'Succeeded');
const ms = (t: string | undefined) => Date.parse(t ?? '');

async function createInstance(name: string, dag: string, extra: Record<string, unknown> = {}) {
  await env.custom.createNamespacedCustomObject({
    group: 'fastflow.io',
    version: 'v1alpha1',
    plural: 'daginstances',
    namespace: env.namespace,
    body: {
      apiVersion: 'fastflow.io/v1alpha1',
      kind: 'DagInstance',
      metadata: { name },
      spec: { dagRef: { name: dag }, ...extra },
    },
  });
}

describe('maxRunningInstances', () => {
  it('runs one instance at a time; the others wait, saying why, and start in creation order as slots free', async () => {
    await env.createDag('one-at-a-time', {
      maxRunningInstances: 1,
      tasks: [{ id: 'nap', actionName: 'sleep', params: { seconds: 1 } }],
    });
    for (const n of [1, 2, 3]) await createInstance(`one-${n}`, 'one-at-a-time');
    const waiting = await env.waitForInstance(
      'one-3',
      (i) => condition(i)?.reason === 'WaitingForRunSlot',
    );
    expect(waiting.status?.phase).toBe('Pending');
    expect(waiting.status?.message).toContain(
      'Dag "one-at-a-time" runs at most 1 instance at once (spec.maxRunningInstances)',
    );
    const done = [];
    for (const n of [1, 2, 3]) done.push(await env.finished(`one-${n}`, 60_000));
    for (const i of done) expect(i.status?.phase).toBe('Succeeded');
    // Each started only once the one before it had finished.
    for (const [before, after] of [
      [0, 1],
      [1, 2],
    ] as const) {
      expect(ms(done[after]?.status?.startTime)).toBeGreaterThanOrEqual(
        ms(done[before]?.status?.finishTime),
      );
    }
  }, 120_000);

  it('starts a waiting instance of higher priority first, and cancels a waiting one without running it', async () => {
    await env.createDag('prioritized', {
      maxRunningInstances: 1,
      tasks: [{ id: 'nap', actionName: 'sleep', params: { seconds: 1 } }],
    });
    await createInstance('prio-first', 'prioritized');
    await env.waitForInstance('prio-first', (i) => i.status?.phase === 'Running');
    await createInstance('prio-low', 'prioritized');
    await createInstance('prio-doomed', 'prioritized');
    await createInstance('prio-high', 'prioritized', { priority: 10 });
    await env.waitForInstance('prio-high', (i) => i.status?.phase === 'Pending');
    await env.kubectl(['annotate', 'dagi', 'prio-doomed', 'fastflow.io/cancel=now']);
    const canceled = await env.finished('prio-doomed');
    expect(canceled.status?.phase).toBe('Canceled');
    expect(canceled.status?.tasks?.['nap']).toMatchObject({ phase: 'Canceled' });
    const high = await env.finished('prio-high', 60_000);
    const low = await env.finished('prio-low', 60_000);
    expect([high.status?.phase, low.status?.phase]).toEqual(['Succeeded', 'Succeeded']);
    expect(ms(low.status?.startTime)).toBeGreaterThanOrEqual(ms(high.status?.finishTime));
  }, 120_000);

  it('refuses a limit or a priority out of range at admission', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'Dag',
        { maxRunningInstances: 0, tasks: [{ id: 'a', actionName: 'print' }] },
        'spec.maxRunningInstances',
      ],
      [
        'Dag',
        { maxRunningInstances: -2, tasks: [{ id: 'a', actionName: 'print' }] },
        'spec.maxRunningInstances',
      ],
      ['DagInstance', { dagRef: { name: 'x' }, priority: 1001 }, 'spec.priority'],
      ['DagInstance', { dagRef: { name: 'x' }, priority: 1.5 }, 'spec.priority'],
    ];
    for (const [i, [kind, spec, field]] of cases.entries()) {
      const body = JSON.stringify({
        apiVersion: 'fastflow.io/v1alpha1',
        kind,
        metadata: { name: `bad-limit-${i}` },
        spec,
      });
      const applied = await env.kubectl(['apply', '-f', '-'], body);
      expect(applied.code).not.toBe(0);
      expect(applied.stderr).toContain(field);
    }
  });
});
