/**
 * type: loop (docs/control-flow.md, "loop") on the real control plane with a
 * stock worker: the page's example runs as written, and what is refused is
 * refused where the user looks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.ts';
import { docDag, exampleDag } from '../support/doc-examples.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { plugin } from '../support/plugin-cli.ts';

let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('loop'));
  env.startOperator('operator-a');
  env.startWorker('worker');
});
afterAll(async () => env.stop());

const body = [
  { id: 'probe', actionName: 'transform', params: { queryExpression: '{ready: false}' } },
  { id: 'record', actionName: 'print', dependOn: ['probe'] },
];

describe('loop on the control plane', () => {
  it('the documented example: do-while over iterations, keepLast, output of the last one', async () => {
    // The example the demo runs is the page's Dag, with an instance of it.
    const file = 'examples/control-flow/poll-rounds.yaml';
    expect(exampleDag(file)).toEqual(docDag('control-flow.md', 'poll-rounds'));
    const applied = await env.kubectl(['apply', '-n', env.namespace, '-f', file]);
    expect(applied.stderr).toBe('');
    const done = await env.finished('poll-rounds-run-1');
    expect(done.status?.phase).toBe('Succeeded');
    const tasks = done.status?.tasks ?? {};
    expect(tasks['poll']).toMatchObject({
      phase: 'Succeeded',
      iteration: 3,
      iterationsDropped: 1,
      output: { iteration: 3, outputs: { probe: { result: { ready: false } } } },
    });
    expect(tasks['poll']?.worker).toBeUndefined();
    // keepLast 2: iteration 1 left status; the body ids mirror iteration 3.
    expect(
      Object.keys(tasks)
        .filter((k) => k.includes('#'))
        .sort(),
    ).toEqual(['probe#2', 'probe#3', 'record#2', 'record#3']);
    expect(tasks['record']).toMatchObject({ phase: 'Succeeded' });
    expect(tasks['record']?.worker).toBeUndefined();
    expect(tasks['done']?.params).toEqual({ rounds: 3 });
    const got = await plugin(['get', 'poll-rounds-run-1', '-n', env.namespace]);
    expect(got.stdout).toMatch(/probe\n?.*\n.*probe#2/);
  });

  it('a body task reads the outputs of tasks before the loop (the documented count-down)', async () => {
    await env.createDag('count-down', docDag('control-flow.md', 'count-down'));
    expect(await env.dagStatus('count-down')).toMatchObject({ valid: true });
    await env.createInstance('count-down-1', 'count-down');
    const done = await env.finished('count-down-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['countdown']).toMatchObject({ phase: 'Succeeded', iteration: 3 });
    expect(done.status?.tasks?.['tick#3']?.output).toMatchObject({
      result: { region: 'eu', of: 3 },
    });
  });

  it("an approval in the body: approving the body task's id approves the iteration waiting", async () => {
    await env.createDag('sign-rounds', {
      tasks: [
        {
          id: 'rounds',
          type: 'loop',
          loop: { body: ['gate'], while: 'iteration < 2', maxIterations: 3 },
        },
        { id: 'gate', type: 'approval' },
      ],
    });
    await env.createInstance('sign-rounds-1', 'sign-rounds');
    for (const key of ['gate#1', 'gate#2']) {
      await env.waitForInstance(
        'sign-rounds-1',
        (i) => i.status?.tasks?.[key]?.reason === 'Waiting',
      );
      const approved = await plugin(['approve', 'sign-rounds-1', 'gate', '-n', env.namespace]);
      expect(approved.code).toBe(0);
    }
    const done = await env.finished('sign-rounds-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['gate#2']).toMatchObject({ phase: 'Succeeded' });
  });

  it('maxIterations reached with while still true: LoopLimitReached', async () => {
    await env.createDag('forever', {
      tasks: [
        {
          id: 'spin',
          type: 'loop',
          loop: { body: ['probe', 'record'], while: 'true', maxIterations: 2 },
        },
        ...body,
      ],
    });
    await env.createInstance('forever-1', 'forever');
    const done = await env.finished('forever-1');
    expect(done.status?.phase).toBe('Failed');
    expect(done.status?.tasks?.['spin']).toMatchObject({
      phase: 'Failed',
      reason: 'LoopLimitReached',
      iteration: 2,
      message: 'ran maxIterations 2 and while still holds',
    });
  });

  it('a failed body task fails the loop, naming the iteration', async () => {
    await env.createDag('broken-body', {
      tasks: [
        { id: 'spin', type: 'loop', loop: { body: ['bad'], while: 'true', maxIterations: 5 } },
        { id: 'bad', actionName: 'transform', params: { queryExpression: 'error("no")' } },
      ],
    });
    await env.createInstance('broken-1', 'broken-body');
    const done = await env.finished('broken-1');
    expect(done.status?.tasks?.['spin']).toMatchObject({
      phase: 'Failed',
      reason: 'GrownTaskFailed',
    });
    expect(done.status?.tasks?.['spin']?.message).toContain('iteration 1: bad#1 failed');
  });

  it('a body task that depends outside the body, or is depended on from outside: VALID False', async () => {
    await env.createDag('bad-loop', {
      tasks: [
        { id: 'a', actionName: 'print' },
        {
          id: 'spin',
          type: 'loop',
          loop: { body: ['probe'], while: 'iteration', maxIterations: 3 },
        },
        { id: 'probe', actionName: 'print', dependOn: ['a'] },
        { id: 'after', actionName: 'print', dependOn: ['probe'] },
      ],
    });
    const status = await env.dagStatus('bad-loop');
    expect(status).toMatchObject({ valid: false });
    expect(status['message']).toContain(
      'spec.tasks[1].loop.while: iteration: gives int, not a bool',
    );
    expect(status['message']).toContain('body task "probe" of loop "spin" depends on "a"');
    expect(status['message']).toContain('task "after" depends on body task "probe"');
  });
});
