/**
 * forEach (docs/control-flow.md, "forEach: dynamic fan-out") on the real
 * control plane with a stock worker: the page's example runs as written,
 * copies show under their task, and what is refused is refused where the
 * user looks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.ts';
import { docDag, exampleDag } from '../support/doc-examples.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { plugin } from '../support/plugin-cli.ts';

let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('fan-out'));
  env.startOperator('operator-a');
  env.startWorker('worker');
});
afterAll(async () => env.stop());

const listing = (images: string) => ({
  id: 'list',
  actionName: 'transform',
  params: { queryExpression: `{images: ${images}}` },
});

describe('forEach on the control plane', () => {
  it('the documented example: one copy per item, outputs in item order, the join after all', async () => {
    // The example the demo runs is the page's Dag, with an instance of it.
    const file = 'examples/control-flow/resize-images.yaml';
    expect(exampleDag(file)).toEqual(docDag('control-flow.md', 'resize-images'));
    const applied = await env.kubectl(['apply', '-n', env.namespace, '-f', file]);
    expect(applied.stderr).toBe('');
    const done = await env.finished('resize-images-run-1');
    expect(done.status?.phase).toBe('Succeeded');
    const fan = done.status?.tasks?.['resize'];
    expect(fan).toMatchObject({ phase: 'Succeeded', items: 3, message: '3/3 copies done' });
    expect(fan?.worker).toBeUndefined();
    expect(fan?.output).toMatchObject([
      { result: { name: 'a.png', half: 320, index: 0 } },
      { result: { name: 'b.png', half: 640, index: 1 } },
      { result: { name: 'c.png', half: 160, index: 2 } },
    ]);
    expect(fan?.output).toHaveLength(3);
    for (const i of [0, 1, 2]) {
      expect(done.status?.tasks?.[`resize[${i}]`]).toMatchObject({ phase: 'Succeeded' });
      expect(done.status?.tasks?.[`resize[${i}]`]?.worker).toBeDefined();
    }
    expect(done.status?.counts).toMatchObject({ Succeeded: 6 });
    const tree = await plugin(['tree', 'resize-images-run-1', '-n', env.namespace]);
    expect(tree.stdout).toMatch(/ {3}┆ resize\[0\] +Succeeded/);
    expect(tree.stdout.indexOf('resize[2]')).toBeLessThan(tree.stdout.indexOf('report'));
  });

  it('more items than maxItems: FanOutTooLarge naming the count and the bound; no copy ran', async () => {
    await env.createDag('too-many', {
      tasks: [
        listing('[1, 2, 3]'),
        {
          id: 'each',
          actionName: 'print',
          dependOn: ['list'],
          forEach: { items: 'tasks.list.output.result.images', maxItems: 2 },
        },
      ],
    });
    await env.createInstance('too-many-1', 'too-many');
    const done = await env.finished('too-many-1');
    expect(done.status?.phase).toBe('Failed');
    expect(done.status?.tasks?.['each']).toMatchObject({
      phase: 'Failed',
      reason: 'FanOutTooLarge',
      message: 'forEach.items gave 3 items, more than maxItems 2',
    });
    expect(Object.keys(done.status?.tasks ?? {}).filter((k) => k.startsWith('each['))).toEqual([]);
  });

  it('a copy that fails fails the fan-out, naming it; copies not started stay so', async () => {
    await env.createDag('one-fails', {
      tasks: [
        listing('[0, 1, 2]'),
        {
          id: 'check',
          actionName: 'transform',
          dependOn: ['list'],
          forEach: { items: 'tasks.list.output.result.images', maxConcurrency: 1 },
          params: { queryExpression: 'if {{item}} == 1 then error("bad item") else . end' },
        },
      ],
    });
    await env.createInstance('one-fails-1', 'one-fails');
    const failed = await env.finished('one-fails-1');
    expect(failed.status?.phase).toBe('Failed');
    expect(failed.status?.tasks?.['check']).toMatchObject({
      phase: 'Failed',
      reason: 'GrownTaskFailed',
    });
    expect(failed.status?.tasks?.['check']?.message).toContain('copy check[1] failed');
    // maxConcurrency 1: the copy after the failed one never started.
    expect(failed.status?.tasks?.['check[2]']).toBeUndefined();
  });

  it('a bad items expression: VALID False with the field path', async () => {
    await env.createDag('bad-items', {
      tasks: [
        { id: 'each', actionName: 'print', forEach: { items: '1 + ' }, params: { x: '{{item}}' } },
      ],
    });
    const status = await env.dagStatus('bad-items');
    expect(status).toMatchObject({ valid: false });
    expect(status['message']).toContain('spec.tasks[0].forEach.items: 1 + :');
  });
});
