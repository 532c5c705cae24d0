/**
 * The built-in `transform` action (jq) through the operator and a stock
 * worker: results feed a downstream task; a bad expression fails at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.ts';
import { docDag } from '../support/doc-examples.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('builtin-transform'));
  env.startOperator('operator-a');
  env.startWorker('worker');
});
afterAll(async () => env.stop());

describe('the transform action', () => {
  it('runs the example of docs/builtin-actions.md: jq over the params, read downstream', async () => {
    await env.createDag('shape', docDag('builtin-actions.md', 'active-users'));
    await env.createInstance('shape-1', 'shape');
    const done = await env.finished('shape-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['names']?.output).toEqual({
      result: { names: ['ada', 'cy'] },
      resultList: [{ names: ['ada', 'cy'] }],
    });
    expect(done.status?.tasks?.['count']?.output).toMatchObject({
      result: { count: 2, first: 'ada' },
    });
  });

  it('fails a bad expression at once, whatever the retry policy, naming it', async () => {
    await env.createDag('bad-jq', {
      tasks: [
        {
          id: 't',
          actionName: 'transform',
          retry: { limit: 3 },
          params: { queryExpression: '.items | map(.name', items: [] },
        },
      ],
    });
    await env.createInstance('bad-jq-1', 'bad-jq');
    const done = await env.finished('bad-jq-1');
    expect(done.status?.phase).toBe('Failed');
    const task = done.status?.tasks?.['t'];
    expect(task).toMatchObject({ phase: 'Failed', reason: 'NonRetryable', attempt: 1 });
    expect(task?.message).toContain('jq expression ".items | map(.name" does not compile');
  });

  it('refuses params without an expression as InvalidParams, naming the field', async () => {
    await env.createDag('no-jq', {
      tasks: [{ id: 't', actionName: 'transform', params: { items: [] } }],
    });
    await env.createInstance('no-jq-1', 'no-jq');
    const done = await env.finished('no-jq-1');
    expect(done.status?.tasks?.['t']).toMatchObject({ phase: 'Failed', reason: 'InvalidParams' });
    expect(done.status?.tasks?.['t']?.message).toContain('params.queryExpression');
  });
});
