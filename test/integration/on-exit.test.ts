/**
 * spec.onExit on the real control plane: an instance that ends, whatever its
 * phase, starts its Dag's onExit run once, with how it ended, recorded with
 * an Event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.ts';
import { docDag } from '../support/doc-examples.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { plugin } from '../support/plugin-cli.ts';

let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('on-exit'));
  env.startOperator('operator-a');
  env.startWorker('worker');
  // The examples of docs/control-flow.md, as written there.
  await env.createDag('preview', docDag('control-flow.md', 'preview'));
  await env.createDag('tear-down', docDag('control-flow.md', 'tear-down'));
});
afterAll(async () => env.stop());

const reviewing = (name: string) =>
  env.waitForInstance(name, (i) => i.status?.tasks?.['review']?.reason === 'Waiting');

describe('onExit', () => {
  it('runs once the instance succeeds, with its phase and its own vars', async () => {
    await env.createInstance('preview-1', 'preview');
    await reviewing('preview-1');
    expect((await plugin(['signal', 'preview-1', 'review', '-n', env.namespace])).code).toBe(0);
    const done = await env.waitForInstance('preview-1', (i) => !!i.status?.onExitInstance);
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.onExitInstance).toBe('preview-1-on-exit');
    const run = await env.finished('preview-1-on-exit');
    expect(run.spec.vars).toMatchObject({
      instance: 'preview-1',
      phase: 'Succeeded',
      env: 'preview-42',
    });
    expect(run.status?.tasks?.['delete']?.output).toMatchObject({
      result: { deleted: 'preview-42', after: 'Succeeded' },
    });
    expect(run.metadata.labels?.['fastflow.io/exited-instance']).toBe('preview-1');
  });

  it('runs when the instance is canceled, and the run itself starts none', async () => {
    await env.createInstance('preview-2', 'preview');
    await reviewing('preview-2');
    await env.kubectl([
      'annotate',
      '-n',
      env.namespace,
      'dagi',
      'preview-2',
      'fastflow.io/cancel=1',
    ]);
    const done = await env.waitForInstance('preview-2', (i) => !!i.status?.onExitInstance);
    expect(done.status?.phase).toBe('Canceled');
    const run = await env.finished('preview-2-on-exit');
    expect(run.spec.vars).toMatchObject({ instance: 'preview-2', phase: 'Canceled' });
    expect(run.status?.phase).toBe('Succeeded');
    expect(run.status?.onExitInstance).toBeUndefined();
    expect((await env.instanceNames()).filter((n) => n.startsWith('preview-2'))).toEqual([
      'preview-2',
      'preview-2-on-exit',
    ]);
  });

  it('names the failed copies of a fan-out and the failed iteration of a loop by their keys', async () => {
    const fails = { queryExpression: 'if .i == 1 then error("no") else . end', i: '{{item}}' };
    await env.createDag('grown-fails', {
      tasks: [
        {
          id: 'fan',
          actionName: 'transform',
          optional: true,
          forEach: { items: '[0, 1, 2]', maxConcurrency: 1 },
          params: fails,
        },
        {
          id: 'poll',
          type: 'loop',
          dependOn: ['fan'],
          loop: { body: ['step'], while: 'true', maxIterations: 3 },
        },
        { id: 'step', actionName: 'transform', params: { queryExpression: 'error("no")' } },
      ],
      onExit: { dagName: 'tear-down', vars: { env: 'none' } },
    });
    await env.createInstance('grown-fails-1', 'grown-fails');
    const done = await env.waitForInstance('grown-fails-1', (i) => !!i.status?.onExitInstance);
    expect(done.status?.phase).toBe('Failed');
    const run = await env.getInstance('grown-fails-1-on-exit');
    expect(run.spec.vars?.['failedTasks']).toBe('fan,fan[1],poll,step#1');
  });
});
