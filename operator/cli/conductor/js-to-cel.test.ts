import { describe, expect, it } from 'vitest';
import { Environment } from '@marcbachmann/cel-js';
import { select } from './cel-values.ts';
import { jsToCel, type DollarResolver } from './js-to-cel.ts';

// $.env is a var (a string), $.plan an upstream output, $.loop the loop's own output.
const dollar: DollarResolver = (keys) => {
  const [name, ...rest] = keys;
  if (name === 'env')
    return rest.length ? { refused: 'a var has no fields' } : { cel: 'vars.env', kind: 'string' };
  if (name === 'count') return { cel: 'vars.count', kind: 'string' };
  if (name === 'plan') return select({ cel: 'tasks.plan.output', kind: 'dyn' }, rest);
  if (name === 'loop' && rest[0] === 'iteration') return { cel: 'iteration', kind: 'int' };
  return { refused: `no input ${String(name)}` };
};

const cel = (js: string, want: 'value' | 'bool' = 'value'): string => {
  const t = jsToCel(js, dollar, want);
  if (!t.ok) throw new Error(t.reason);
  return t.cel;
};

const reason = (js: string): string => {
  const t = jsToCel(js, dollar);
  if (t.ok) throw new Error(`converted: ${t.cel}`);
  return t.reason;
};

// The variables a switch reads (operator/core/control/cel.ts); validateDag type-checks
// converted expressions with that environment itself (convert-types.test.ts).
const env = new Environment()
  .registerVariable('vars', 'map<string, string>')
  .registerVariable('tasks', 'map<string, dyn>');

/** Evaluates the CEL as a switch would, with env=prod, count=5 and plan's output. */
function run(
  expression: string,
  vars: Record<string, string> = { env: 'prod', count: '5' },
): unknown {
  const output = { replicas: 3n, ok: true, items: [1n, 2n], 'a-b': 'x' };
  const value: unknown = env.evaluate(expression, { vars, tasks: { plan: { output } } });
  return typeof value === 'bigint' ? Number(value) : value;
}

describe('jsToCel: the forms Conductor users write', () => {
  it('an expression: $.x == "prod", === and !==', () => {
    expect(cel("$.env == 'prod'")).toBe('vars.env == "prod"');
    expect(run(cel("$.env === 'prod'"))).toBe(true);
    expect(run(cel("$.env !== 'prod'"))).toBe(false);
  });

  it('if (cond) { true; } else { false; } is the condition itself', () => {
    expect(cel("if ($.env == 'prod') { true; } else { false; }")).toBe('vars.env == "prod"');
  });

  it('if / else if / else picks a case name', () => {
    const c = cel(
      "if ($.env == 'dev') { 'a'; } else if ($.plan.replicas > 2) { 'b'; } else { 'c'; }",
    );
    expect(c).toBe('vars.env == "dev" ? "a" : tasks.plan.output.replicas > 2 ? "b" : "c"');
    expect(run(c)).toBe('b');
    expect(run(c, { env: 'dev', count: '1' })).toBe('a');
  });

  it("$.ref['iteration'] < 3 in a loop condition", () => {
    expect(cel("$.loop['iteration'] < 3", 'bool')).toBe('iteration < 3');
  });

  it('&&, || and ! with precedence kept', () => {
    const c = cel("!($.env == 'dev' || $.env == 'qa') && $.plan.ok");
    expect(c).toBe('!(vars.env == "dev" || vars.env == "qa") && tasks.plan.output.ok == true');
    expect(run(c)).toBe(true);
  });

  it('a var compared with a number is read as that number (Conductor passed a number)', () => {
    expect(cel('$.count > 3')).toBe('int(vars.count) > 3');
    expect(run(cel('$.count >= 4.5'))).toBe(true);
    expect(cel('$.env == true')).toBe('vars.env == "true"');
  });

  it('a function returning from ifs, and arrow functions', () => {
    const c = cel(
      "(function () { if ($.plan.replicas > 5) return 'big'; if ($.plan.replicas > 2) { return 'mid'; } return 'small'; })()",
    );
    expect(run(c)).toBe('mid');
    expect(run(cel("(() => $.env == 'prod' ? 'p' : 'o')()"))).toBe('p');
  });

  it('ternaries, arithmetic, .length, template strings, keys that are no identifiers', () => {
    expect(run(cel("$.plan.replicas * 2 - 1 > 4 ? 'many' : 'few'"))).toBe('many');
    expect(run(cel('$.plan.items.length'))).toBe(2);
    expect(run(cel('`env-${$.env}`'))).toBe('env-prod');
    expect(run(cel("$.plan['a-b'] + '!'"))).toBe('x!');
    expect(run(cel('$.plan.items[1]'))).toBe(2);
  });

  it('a truthy read of a var or an output in a condition', () => {
    expect(cel('$.env', 'bool')).toBe('vars.env == "true"');
    expect(cel('$.plan.ok', 'bool')).toBe('tasks.plan.output.ok == true');
  });
});

describe('jsToCel: what does not convert says why', () => {
  it.each([
    ['var x = $.env; x == "prod"', 'a script of 2 statements'],
    ["if ($.env == 'prod') { 'a'; }", '"if" without "else"'],
    ['$.env.toLowerCase()', 'CallExpression'],
    ['cond', 'unknown name "cond"'],
    ['$.missing == 1', 'no input missing'],
    ['$.env.sub', 'a var has no fields'],
    ['$.plan[$.env]', 'only fixed keys'],
    ['$.plan.x ?? 1', 'has no CEL form'],
    ['$.plan.x in $.plan', 'the operator "in"'],
    ['while (true) {}', 'WhileStatement'],
    ['(function () { var a = 1; return a; })()', 'before the end of the function'],
    ['if (', 'not JavaScript'],
  ])('%s', (js, why) => {
    expect(reason(js)).toContain(why);
  });
});
