import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

// Chains at in-process speed (docs/architecture.md): a running task's sole successors are
// pre-assigned to its worker, which starts each the moment its parent succeeds.
const module = (name: string): string =>
  fileURLToPath(new URL(`../support/actions/${name}.ts`, import.meta.url));
let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('chains'));
  // Two steps ahead, so that the first test sees where the run ends.
  env.startOperator('operator-a', { env: { FASTFLOW_CHAIN_LOOK_AHEAD: '2' } });
  env.startWorker('chain', { actions: [module('data'), module('flaky')] });
});
afterAll(async () => env.stop());

describe('chains pre-assigned to one worker', () => {
  it('pre-assigns the steps behind a running task and renders them from outputs held in memory', async () => {
    await env.createDag('relay', {
      tasks: [
        { id: 'a', actionName: 'sleep', params: { seconds: 1.5 } },
        { id: 'b', actionName: 'emit', dependOn: ['a'] },
        { id: 'c', actionName: 'echo', dependOn: ['b'], params: { ip: '{{tasks.b.output.ip}}' } },
        { id: 'd', actionName: 'echo', dependOn: ['c'], params: { v: '{{tasks.c.output.ip}}' } },
      ],
    });
    await env.createInstance('relay-1', 'relay');
    // While a runs, b and c wait on its worker behind it (look-ahead 2), d not yet.
    const ahead = await env.waitForInstance('relay-1', (i) => i.status?.tasks?.['c'] !== undefined);
    const tasks = ahead.status?.tasks ?? {};
    expect(tasks['a']?.phase).toMatch(/Scheduled|Running/);
    expect(tasks['b']).toMatchObject({
      phase: 'Scheduled',
      after: 'a@1',
      worker: tasks['a']?.worker,
    });
    expect(tasks['c']).toMatchObject({
      phase: 'Scheduled',
      after: 'b@1',
      worker: tasks['a']?.worker,
    });
    expect(tasks['d']).toBeUndefined();

    const done = await env.finished('relay-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['c']?.output).toEqual({ ip: '10.1.2.3' });
    expect(done.status?.tasks?.['d']?.output).toEqual({ v: '10.1.2.3' });
    for (const id of ['b', 'c', 'd']) {
      expect(done.status?.tasks?.[id]).toMatchObject({ attempt: 1, worker: tasks['a']?.worker });
      expect(done.status?.tasks?.[id]?.after).toBeUndefined();
    }
  });

  it('never starts a step whose parent failed: it goes back to Pending, the attempt not counted', async () => {
    await env.createDag('broken', {
      tasks: [
        { id: 'a', actionName: 'flaky', params: { failAttempts: 1 } },
        { id: 'b', actionName: 'print', dependOn: ['a'] },
      ],
    });
    await env.createInstance('broken-1', 'broken');
    const failed = await env.finished('broken-1');
    expect(failed.status?.phase).toBe('Failed');
    expect(failed.status?.tasks?.['b']).toMatchObject({
      phase: 'Pending',
      reason: 'PreAssignmentVoided',
      voided: 1,
    });
    expect(failed.status?.tasks?.['b']?.startedAt).toBeUndefined();
    expect(failed.status?.tasks?.['b']?.worker).toBeUndefined();

    // Retried, the parent succeeds: the step is pre-assigned behind the new attempt and runs.
    await env.createDag('mended', {
      tasks: [
        {
          id: 'a',
          actionName: 'flaky',
          params: { failAttempts: 1 },
          retry: { limit: 1, backoff: { seconds: 0 } },
        },
        { id: 'b', actionName: 'print', dependOn: ['a'] },
      ],
    });
    await env.createInstance('mended-1', 'mended');
    const done = await env.finished('mended-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['a']).toMatchObject({ phase: 'Succeeded', attempt: 2 });
    // Attempt 1 of b was spent on the voided pre-assignment: not in its history.
    expect(done.status?.tasks?.['b']).toMatchObject({ phase: 'Succeeded', attempt: 2, voided: 1 });
    expect(done.status?.tasks?.['b']?.history).toBeUndefined();
  });

  it('gives both the running task and the steps behind it new attempts when its worker is killed', async () => {
    const victim = env.startWorker('victim', { actions: [module('nap')] });
    await env.workerInUse('victim');
    await env.createDag('relay-kill', {
      tasks: [
        { id: 'a', actionName: 'nap', params: { seconds: 3 } },
        { id: 'b', actionName: 'nap', dependOn: ['a'], params: { seconds: 0 } },
        { id: 'c', actionName: 'print', dependOn: ['b'] },
      ],
    });
    await env.createInstance('relay-kill-1', 'relay-kill');
    const ahead = await env.waitForInstance(
      'relay-kill-1',
      (i) => i.status?.tasks?.['a']?.phase === 'Running' && i.status.tasks['c'] !== undefined,
    );
    const lost = ahead.status?.tasks?.['a']?.worker;
    expect(lost).toMatch(/^victim-/);
    expect(ahead.status?.tasks?.['c']).toMatchObject({ worker: lost, after: 'b@1' });
    victim.kill('SIGKILL');
    // No other worker has `nap` yet: once the victim is found lost, b and c are voided.
    const voided = await env.waitForInstance(
      'relay-kill-1',
      (i) => i.status?.tasks?.['c']?.reason === 'PreAssignmentVoided',
    );
    expect(voided.status?.tasks?.['b']).toMatchObject({ phase: 'Pending', voided: 1 });

    env.startWorker('survivor', { actions: [module('nap')] });
    const done = await env.finished('relay-kill-1');
    expect(done.status?.phase).toBe('Succeeded');
    const { a, b, c } = done.status?.tasks ?? {};
    expect(a?.worker).toMatch(/^survivor-/);
    expect(a).toMatchObject({ attempt: 2 });
    expect(a?.history?.[0]).toMatchObject({ attempt: 1, worker: lost, reason: 'WorkerLost' });
    expect(b).toMatchObject({ phase: 'Succeeded', attempt: 2, voided: 1, worker: a?.worker });
    expect(c).toMatchObject({ phase: 'Succeeded', attempt: 2, voided: 1, worker: a?.worker });
  });
});
