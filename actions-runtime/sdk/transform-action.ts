import { z } from 'zod';
import { defineAction } from './action.ts';
import { NonRetryableError } from './errors.ts';
import { JqFailure, JqRunner } from './jq-runner.ts';

/** How long one jq evaluation may run; jq over a task's params is meant to take milliseconds. */
export const TRANSFORM_TIMEOUT_MS = 10_000;
const MAX_EXPRESSION = 16_384;

const runner = new JqRunner();

/**
 * `transform` (Conductor's JSON_JQ_TRANSFORM): evaluates the jq expression
 * `queryExpression` over the task's other params, as Conductor does over its
 * input map. Output: `result` (the first result, `null` when there is none)
 * and `resultList` (all of them). An expression that does not compile, or
 * fails on its input, fails the task without a retry: the next attempt
 * would get the same expression and the same input.
 */
export const transformAction = defineAction({
  name: 'transform',
  params: z
    .object({
      queryExpression: z
        .string()
        .min(1, 'must be a jq expression, e.g. ".items | map(.name)"')
        .max(MAX_EXPRESSION),
    })
    .catchall(z.unknown()),
  async run(ctx, params) {
    const { queryExpression, ...input } = params;
    let results: unknown[];
    try {
      results = await runner.evaluate(input, queryExpression, {
        timeoutMs: TRANSFORM_TIMEOUT_MS,
        signal: ctx.signal,
      });
    } catch (e) {
      if (!(e instanceof JqFailure)) throw e;
      const what = {
        compile: 'does not compile',
        runtime: 'failed on its input',
        timeout: 'was stopped',
      }[e.kind];
      throw new NonRetryableError(
        `jq expression ${JSON.stringify(queryExpression)} ${what}: ${e.message}`,
      );
    }
    ctx.trace(`jq: ${results.length} result(s)`);
    return { result: results[0] ?? null, resultList: results };
  },
});
