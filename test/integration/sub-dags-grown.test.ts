/**
 * subDag tasks under grown keys on the real control plane: a subDag with
 * forEach (`kids[0]`, `kids[1]`) and a subDag in a loop's body (`visit#1`)
 * each run a child with their own vars; the child's output collected from
 * grown keys (a fan-out's copies and a loop's iterations, outputs stored by
 * reference); and `kubectl fastflow tree` draws each child under its key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childInstanceName } from '../../operator/store/child-instances.ts';
import { createTestNamespace } from '../support/cluster.ts';
import { docDag } from '../support/doc-examples.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { plugin } from '../support/plugin-cli.ts';

let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('sub-dags-grown'));
  env.startOperator('operator-a');
  env.startWorker('worker');
});
afterAll(async () => env.stop());

// Above the inline bound (1 KiB): each output lives in its attempt's data object.
const pad = 'x'.repeat(1100);
const say = {
  vars: { region: { defaultValue: 'none' } },
  tasks: [
    {
      id: 'say',
      actionName: 'transform',
      params: { queryExpression: '{region: .r}', r: '{{region}}' },
    },
  ],
};

describe('a subDag task under a grown key', () => {
  it('forEach and loop body: one child per copy and iteration, drawn under its key', async () => {
    await env.createDag('say', say);
    await env.createDag('regions', {
      tasks: [
        {
          id: 'kids',
          type: 'subDag',
          forEach: { items: '["eu", "us"]' },
          subDag: { dagName: 'say', vars: { region: '{{item}}' } },
        },
        {
          id: 'again',
          type: 'loop',
          dependOn: ['kids'],
          loop: { body: ['visit'], while: 'iteration < 2', maxIterations: 3 },
        },
        {
          id: 'visit',
          type: 'subDag',
          subDag: { dagName: 'say', vars: { region: '{{tasks.kids.output.1.say.result.region}}' } },
        },
      ],
    });
    await env.createInstance('regions-1', 'regions');
    const done = await env.finished('regions-1');
    expect(done.status?.phase).toBe('Succeeded');
    const tasks = done.status?.tasks ?? {};
    expect(tasks['kids']?.output).toMatchObject([
      { say: { result: { region: 'eu' } } },
      { say: { result: { region: 'us' } } },
    ]);
    expect(tasks['visit#2']?.output).toMatchObject({ say: { result: { region: 'us' } } });
    const child = await env.getInstance(childInstanceName('regions-1', 'kids[1]', 1));
    expect(child.spec.vars).toEqual({ region: 'us' });
    const tree = await plugin(['tree', 'regions-1', '-n', env.namespace]);
    expect(tree.code).toBe(0);
    const ids = tree.stdout.split('\n').map((l) => l.replace(/^[\s│├└─┆]+/, '').split(/\s+/)[0]);
    expect(ids.slice(1)).toEqual([
      'kids',
      'kids[0]',
      'kids[0]/say',
      'kids[1]',
      'kids[1]/say',
      'again',
      'visit',
      'visit#1',
      'visit#1/say',
      'visit#2',
      'visit#2/say',
      '',
    ]);
  });

  it('the documented ship-regions: one rollout per region, outputs in item order', async () => {
    await env.createDag('rollout', docDag('control-flow.md', 'rollout'));
    await env.createDag('ship-regions', docDag('control-flow.md', 'ship-regions'));
    await env.createInstance('ship-regions-1', 'ship-regions');
    const done = await env.finished('ship-regions-1');
    expect(done.status?.phase).toBe('Succeeded');
    const child = await env.getInstance(childInstanceName('ship-regions-1', 'deploy[1]', 1));
    expect(child.spec.vars).toEqual({ version: '1.2.3', cluster: 'us' });
    expect(done.status?.tasks?.['report']?.output).toMatchObject({ result: { last: '1.2.3' } });
  });

  it("a child's output gathers its fan-out's copies and its loop's iterations stored by reference", async () => {
    await env.createDag('big-parts', {
      tasks: [
        {
          id: 'each',
          actionName: 'transform',
          forEach: { items: '["a", "b"]' },
          params: { queryExpression: '{v: .i, pad: .pad}', i: '{{item}}', pad },
        },
        {
          id: 'poll',
          type: 'loop',
          loop: { body: ['probe'], while: 'iteration < 2', maxIterations: 3 },
        },
        {
          id: 'probe',
          actionName: 'transform',
          params: { queryExpression: '{v: "p", pad: .pad}', pad },
        },
      ],
    });
    await env.createDag('reads-parts', {
      tasks: [
        { id: 'run', type: 'subDag', subDag: { dagName: 'big-parts' } },
        {
          id: 'use',
          actionName: 'transform',
          dependOn: ['run'],
          params: {
            queryExpression: '{copy: .c, probe: .p}',
            c: '{{tasks.run.output.each.1.result.v}}',
            p: '{{tasks.run.output.poll.outputs.probe.result.v}}',
          },
        },
      ],
    });
    await env.createInstance('reads-parts-1', 'reads-parts');
    const done = await env.finished('reads-parts-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['use']?.output).toMatchObject({
      result: { copy: 'b', probe: 'p' },
    });
  });
});
