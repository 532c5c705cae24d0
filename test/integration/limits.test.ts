import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DagInstance } from '../../operator/api/objects.ts';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

let env: FastflowEnv;

const nap = fileURLToPath(new URL('../support/actions/nap.ts', import.meta.url));

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('limits'));
  env.startOperator('operator-a', {
    env: {
      FASTFLOW_ACTION_CONCURRENCY: '{"nap":1}',
      FASTFLOW_ACTION_RATE: '{"print":{"starts":1,"perSecs":1}}',
    },
  });
  env.startWorker('worker', { concurrency: 8, actions: [nap] });
});
afterAll(async () => env.stop());

const condition = (i: DagInstance) => i.status?.conditions?.find((c) => c.type === 'Succeeded');
const ms = (t: string | undefined) => Date.parse(t ?? '');

const createInstance = (name: string, dag: string, spec: Record<string, unknown> = {}) =>
  env.createInstance(name, dag, undefined, spec);

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

describe('--action-concurrency', () => {
  it('runs at most one nap at a time across instances; a waiting task says why and starts when one ends', async () => {
    await env.createDag('naps', {
      tasks: [
        { id: 'n1', actionName: 'nap', params: { seconds: 0.5 } },
        { id: 'n2', actionName: 'nap', params: { seconds: 0.5 } },
        { id: 'free', actionName: 'sleep', params: { seconds: 0.1 } },
      ],
    });
    await createInstance('naps-1', 'naps');
    await createInstance('naps-2', 'naps');
    const waiting = await env.waitForInstance('naps-2', (i) =>
      Object.values(i.status?.tasks ?? {}).some((t) => t.reason === 'ActionLimit'),
    );
    const task = Object.values(waiting.status?.tasks ?? {}).find((t) => t.reason === 'ActionLimit');
    expect(task).toMatchObject({ phase: 'Pending' });
    expect(task?.message).toContain('action "nap" runs at most 1 at once across the cluster');
    const done = [await env.finished('naps-1', 60_000), await env.finished('naps-2', 60_000)];
    const spans = done.flatMap((i) => {
      expect(i.status?.phase).toBe('Succeeded');
      // The unlimited action was not held back by the limited one.
      expect(i.status?.tasks?.['free']?.phase).toBe('Succeeded');
      return ['n1', 'n2'].map((id) => i.status?.tasks?.[id]);
    });
    // All on one worker (one clock): no two naps ran at the same time.
    const sorted = spans
      .map((t) => [ms(t?.startedAt), ms(t?.finishedAt)] as const)
      .sort((a, b) => a[0] - b[0]);
    expect(sorted).toHaveLength(4);
    for (let k = 1; k < sorted.length; k++) {
      expect(sorted[k]?.[0]).toBeGreaterThanOrEqual(sorted[k - 1]?.[1] ?? Infinity);
    }
  }, 120_000);
});

describe('--action-rate', () => {
  it('places at most one print per second; the others wait, saying why, and start as the rate allows', async () => {
    await env.createDag('prints', {
      tasks: ['p1', 'p2', 'p3'].map((id) => ({ id, actionName: 'print' })),
    });
    await createInstance('prints-1', 'prints');
    const waiting = await env.waitForInstance('prints-1', (i) =>
      Object.values(i.status?.tasks ?? {}).some((t) => t.reason === 'ActionLimit'),
    );
    const task = Object.values(waiting.status?.tasks ?? {}).find((t) => t.reason === 'ActionLimit');
    expect(task?.message).toContain('action "print" starts at most 1 times per 1s');
    const done = await env.finished('prints-1', 60_000);
    expect(done.status?.phase).toBe('Succeeded');
    // Placed on the operator's clock at least a second apart.
    const placed = ['p1', 'p2', 'p3'].map((id) => ms(done.status?.tasks?.[id]?.scheduledAt)).sort();
    for (let k = 1; k < placed.length; k++) {
      expect((placed[k] ?? 0) - (placed[k - 1] ?? 0)).toBeGreaterThanOrEqual(1000);
    }
  }, 60_000);
});
