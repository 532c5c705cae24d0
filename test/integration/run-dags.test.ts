import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DagInstance } from '../../operator/api/objects.ts';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('run-dags'));
  env.startOperator('operator-a');
  env.startWorker('worker');
});
afterAll(async () => env.stop());

function task(i: DagInstance, id: string) {
  const t = i.status?.tasks?.[id];
  if (!t) throw new Error(`task ${id} has no status`);
  return t;
}

const time = (s: string | undefined): number => Date.parse(s ?? '');

describe('a Dag runs end to end', () => {
  it('runs a chain in order', async () => {
    await env.createDag('chain', {
      tasks: [
        { id: 'task1', actionName: 'print', params: { n: 1 } },
        { id: 'task2', actionName: 'sleep', dependOn: ['task1'], params: { seconds: 0.2 } },
        { id: 'task3', actionName: 'print', dependOn: ['task2'] },
      ],
    });
    await env.createInstance('chain-1', 'chain');
    const done = await env.finished('chain-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.progress).toBe('3/3');
    expect(done.status?.duration).toBeTruthy();
    const [t1, t2, t3] = ['task1', 'task2', 'task3'].map((id) => task(done, id));
    expect(time(t2?.startedAt)).toBeGreaterThanOrEqual(time(t1?.finishedAt));
    expect(time(t3?.startedAt)).toBeGreaterThanOrEqual(time(t2?.finishedAt));
    for (const t of [t1, t2, t3]) expect(t).toMatchObject({ phase: 'Succeeded', attempt: 1 });
  });

  it('runs the two branches of a diamond at the same time and the join after both', async () => {
    await env.createDag('diamond', {
      tasks: [
        { id: 'a', actionName: 'print' },
        { id: 'b', actionName: 'sleep', dependOn: ['a'], params: { seconds: 1 } },
        { id: 'c', actionName: 'sleep', dependOn: ['a'], params: { seconds: 1 } },
        { id: 'd', actionName: 'print', dependOn: ['b', 'c'] },
      ],
    });
    await env.createInstance('diamond-1', 'diamond');
    const done = await env.finished('diamond-1');
    expect(done.status?.phase).toBe('Succeeded');
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => task(done, id));
    // B and C overlap in time: each started before the other finished.
    expect(time(b?.startedAt)).toBeLessThan(time(c?.finishedAt));
    expect(time(c?.startedAt)).toBeLessThan(time(b?.finishedAt));
    expect(time(b?.startedAt)).toBeGreaterThanOrEqual(time(a?.finishedAt));
    expect(time(d?.startedAt)).toBeGreaterThanOrEqual(
      Math.max(time(b?.finishedAt), time(c?.finishedAt)),
    );
  });

  it('fails a task whose params are invalid, naming the field, and the instance with it', async () => {
    await env.createDag('bad-params', {
      tasks: [{ id: 'nap', actionName: 'sleep', params: { seconds: 'soon' } }],
    });
    await env.createInstance('bad-params-1', 'bad-params');
    const done = await env.finished('bad-params-1');
    expect(done.status?.phase).toBe('Failed');
    expect(task(done, 'nap')).toMatchObject({ phase: 'Failed', reason: 'InvalidParams' });
    expect(task(done, 'nap').message).toContain('params.seconds');
    expect(done.status?.message).toContain('task nap failed');
  });

  it('renders {{var}} with the instance vars over the defaults', async () => {
    await env.createDag('vars', {
      vars: { seconds: { desc: 'nap length', defaultValue: '30' } },
      tasks: [{ id: 'nap', actionName: 'sleep', params: { seconds: '{{seconds}}' } }],
    });
    await env.createInstance('vars-1', 'vars', { seconds: '0.1' });
    const done = await env.finished('vars-1', 20_000);
    expect(done.status?.phase).toBe('Succeeded');
  });
});

describe('bad input gets its reason where the user looks', () => {
  it('reports a Dag with an unknown dependency and a cycle in its status', async () => {
    await env.createDag('unknown-dep', {
      tasks: [{ id: 'a', actionName: 'print', dependOn: ['ghost'] }],
    });
    await env.createDag('cycle', {
      tasks: [
        { id: 'a', actionName: 'print', dependOn: ['c'] },
        { id: 'b', actionName: 'print', dependOn: ['a'] },
        { id: 'c', actionName: 'print', dependOn: ['b'] },
      ],
    });
    const unknown = await env.dagStatus('unknown-dep');
    expect(unknown).toMatchObject({ valid: false });
    expect(unknown['message']).toContain('spec.tasks[0].dependOn[0]: task "a" depends on "ghost"');
    const cycle = await env.dagStatus('cycle');
    expect(cycle).toMatchObject({ valid: false });
    expect(cycle['message']).toMatch(/cycle: (a|b|c) -> .* -> \1/);
    const shown = await env.kubectl(['get', 'dag', 'cycle']);
    expect(shown.stdout).toMatch(/cycle\s+3\s+False/);

    await env.createInstance('cycle-1', 'cycle');
    const failed = await env.finished('cycle-1');
    expect(failed.status).toMatchObject({ phase: 'Failed' });
    expect(failed.status?.conditions?.[0]).toMatchObject({
      type: 'Succeeded',
      status: 'False',
      reason: 'InvalidDag',
    });
    expect(failed.status?.message).toContain('cycle');
  });

  it('fails an instance of a missing Dag', async () => {
    await env.createInstance('orphan-1', 'no-such-dag');
    const failed = await env.finished('orphan-1');
    expect(failed.status?.phase).toBe('Failed');
    expect(failed.status?.conditions?.[0]?.reason).toBe('DagNotFound');
    expect(failed.status?.message).toContain('Dag "no-such-dag" not found');
  });

  it('fails an instance with an undeclared var or a missing required var', async () => {
    await env.createDag('needs-target', {
      vars: { target: { desc: 'no default' } },
      tasks: [{ id: 'a', actionName: 'print' }],
    });
    await env.createInstance('undeclared-1', 'needs-target', { target: 'x', tagret: 'y' });
    await env.createInstance('missing-1', 'needs-target');
    const undeclared = await env.finished('undeclared-1');
    expect(undeclared.status?.conditions?.[0]?.reason).toBe('InvalidVars');
    expect(undeclared.status?.message).toContain('"tagret" not declared');
    const missing = await env.finished('missing-1');
    expect(missing.status?.message).toContain('"target" must be given');
  });

  it('refuses an instance of a stopped Dag', async () => {
    await env.createDag('stopped', {
      status: 'stopped',
      tasks: [{ id: 'a', actionName: 'print' }],
    });
    await env.createInstance('stopped-1', 'stopped');
    const failed = await env.finished('stopped-1');
    expect(failed.status?.conditions?.[0]?.reason).toBe('DagStopped');
  });

  it('shows DAG, PHASE, PROGRESS and DURATION in kubectl get dagi', async () => {
    const shown = await env.kubectl(['get', 'dagi', 'chain-1']);
    expect(shown.stdout).toMatch(/NAME\s+DAG\s+PHASE\s+PROGRESS\s+AGE\s+DURATION/i);
    expect(shown.stdout).toMatch(/chain-1\s+chain\s+Succeeded\s+3\/3\s+\S+\s+\S+/);
  });
});
