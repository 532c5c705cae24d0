import { loadJq } from 'jq-wasm';
import { describe, expect, it } from 'vitest';
import { convertWorkflow } from './convert.ts';
import { jsToJq, type JqValue } from './js-to-jq.ts';

const jqEngine = await loadJq();

// The params as the transform action gets them: count is a var (a string), order an output.
const kinds = (name: string): JqValue['kind'] | undefined =>
  ({ count: 'string', order: 'dyn', n: 'number' })[name] as JqValue['kind'] | undefined;
const params = { count: '5', order: { items: [1, 2, 3], paid: true, 'a-b': 'x' }, n: 2 };

/** The jq of `js`, run by real jq (the transform action's engine) over the params. */
function run(js: string): unknown {
  const t = jsToJq(js, kinds);
  if (!t.ok) throw new Error(t.reason);
  return jqEngine.json(params, t.jq)[0];
}

describe('an INLINE script → jq for the transform action', () => {
  it.each([
    ['$.count > 3', true],
    ['$.n * 2 + 1', 5],
    ["$.order.paid && $.order.items.length == 3 ? 'ship' : 'wait'", 'ship'],
    ["if (!$.order.paid) { 'hold'; } else { 'go' + '!'; }", 'go!'],
    ["(function () { if ($.n > 5) return 'big'; return 'small'; })()", 'small'],
    ['`n=${$.n}`', 'n=2'],
    ["$.order['a-b'] === 'x'", true],
    ['$.order.items[1] - -1', 3],
    ['$.count == 5 || false', true],
  ])('%s → %j', (js, value) => {
    expect(run(js)).toEqual(value);
  });

  it.each([
    ['var x = 1; x', 'a script of 2 statements'],
    ['$.order.items.map(i => i * 2)', 'CallExpression'],
    ['$.missing', 'not one of the task'],
    ['$.count.x', 'is a var here'],
  ])('%s does not convert', (js, why) => {
    const t = jsToJq(js, kinds);
    expect(t.ok ? t.jq : t.reason).toContain(why);
  });

  it('an INLINE task becomes a transform task with the other inputs as params', () => {
    const one = convertWorkflow(
      {
        name: 'f',
        inputParameters: ['count'],
        tasks: [
          { name: 'plan', taskReferenceName: 'plan' },
          {
            name: 'calc',
            taskReferenceName: 'calc',
            type: 'INLINE',
            inputParameters: {
              evaluatorType: 'graaljs',
              expression: '$.count > 3 ? $.plan.size : 0',
              count: '${workflow.input.count}',
              plan: '${plan.output}',
            },
          },
          {
            name: 'pick',
            taskReferenceName: 'pick',
            type: 'INLINE',
            inputParameters: { evaluatorType: 'value-param', expression: 'x', x: 1 },
          },
          {
            name: 'long',
            taskReferenceName: 'long',
            type: 'INLINE',
            inputParameters: { evaluatorType: 'javascript', expression: 'var a = 1; a + 1' },
          },
        ],
      },
      [],
      'f.json',
    );
    const tasks = one.dag?.manifest.spec.tasks ?? [];
    expect(tasks[1]).toMatchObject({
      actionName: 'transform',
      params: {
        queryExpression: '(if ((.count | tonumber) > 3) then .plan.size else 0 end)',
        count: '{{count}}',
        plan: '{{tasks.plan.output}}',
      },
    });
    expect(tasks[2]?.params).toEqual({ queryExpression: '."x"', x: 1 });
    expect(tasks[3]).toMatchObject({
      actionName: 'long',
      desc: "not converted from Conductor's INLINE",
    });
    expect(one.problems.map((p) => p.message)).toEqual([
      'task "long" (INLINE) does not convert: the script is not one expression jq can say: a script of 2 statements, not one expression or if/else: rewrite it as one expression; write it as an action, or as a transform task (jq); it was written as an action task of its name',
    ]);
  });
});
