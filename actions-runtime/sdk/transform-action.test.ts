import { afterAll, describe, expect, it } from 'vitest';
import { attemptOf } from '../../test/support/builtin-actions.ts';
import { JqRunner } from './jq-runner.ts';
import { transformAction } from './transform-action.ts';

describe('transform (jq)', () => {
  it('runs the expression over the other params: result and resultList', async () => {
    const { outcome } = await attemptOf(transformAction, {
      queryExpression: '.orders[] | {id, total: (.items | map(.price) | add)}',
      orders: [
        { id: 'a', items: [{ price: 2 }, { price: 3 }] },
        { id: 'b', items: [{ price: 10 }] },
      ],
    });
    expect(outcome).toEqual({
      event: 'AttemptSucceeded',
      output: {
        result: { id: 'a', total: 5 },
        resultList: [
          { id: 'a', total: 5 },
          { id: 'b', total: 10 },
        ],
      },
    });
  });

  it('gives null and an empty list for an expression with no result', async () => {
    const { outcome } = await attemptOf(transformAction, { queryExpression: 'empty' });
    expect(outcome).toEqual({
      event: 'AttemptSucceeded',
      output: { result: null, resultList: [] },
    });
  });

  it('fails without retry on a syntax error, naming the expression and the error', async () => {
    const { outcome } = await attemptOf(transformAction, { queryExpression: '.a |||', a: 1 });
    expect(outcome).toMatchObject({ event: 'AttemptFailed', reason: 'NonRetryable' });
    const message = (outcome as { message: string }).message;
    expect(message).toContain('jq expression ".a |||" does not compile');
    expect(message).toContain('syntax error');
  });

  it('fails without retry when the expression fails on its input', async () => {
    const { outcome } = await attemptOf(transformAction, {
      queryExpression: '.a | .[0]',
      a: 1,
    });
    expect(outcome).toMatchObject({ event: 'AttemptFailed', reason: 'NonRetryable' });
    expect((outcome as { message: string }).message).toContain(
      'jq expression ".a | .[0]" failed on its input: Cannot index number with number',
    );
  });

  it.each([
    [{}, 'params.queryExpression'],
    [{ queryExpression: '' }, 'params.queryExpression: must be a jq expression'],
    [{ queryExpression: 42 }, 'params.queryExpression'],
    [{ queryExpression: 'x'.repeat(16_385) }, 'params.queryExpression'],
  ])('refuses bad params %#, naming the field', async (params, named) => {
    const { outcome } = await attemptOf(transformAction, params);
    expect(outcome).toMatchObject({ event: 'AttemptFailed', reason: 'InvalidParams' });
    expect((outcome as { message: string }).message).toContain(named);
  });
});

describe('JqRunner', () => {
  const runner = new JqRunner();
  afterAll(() => runner.close());

  it('stops an expression that never ends, and evaluates the next one on a fresh thread', async () => {
    await expect(runner.evaluate({}, 'repeat(1)', { timeoutMs: 300 })).rejects.toMatchObject({
      kind: 'timeout',
    });
    await expect(runner.evaluate({ a: 1 }, '.a + 1', { timeoutMs: 5000 })).resolves.toEqual([2]);
  });

  it('stops an expression when its signal aborts, with the signal reason', async () => {
    const abort = new AbortController();
    const running = runner.evaluate({}, 'repeat(1)', { timeoutMs: 60_000, signal: abort.signal });
    abort.abort(new Error('canceled'));
    await expect(running).rejects.toThrow('canceled');
    await expect(runner.evaluate([1, 2], 'add', { timeoutMs: 5000 })).resolves.toEqual([3]);
  });
});
