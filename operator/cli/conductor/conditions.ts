/**
 * A SWITCH's (or DECISION's) case expression and a DO_WHILE's loopCondition
 * as CEL. `$` is the task's evaluated inputParameters; in a loop condition
 * also `$.<loop ref>` (its output: `iteration`) and `$.<body ref>` (a body
 * task's output, of the latest iteration).
 */
import { isRecord } from '../migrate-findings.ts';
import { select, truthy, type CelValue } from './cel-values.ts';
import type { Conversion, Path } from './context.ts';
import { jsToCel, type DollarResolver } from './js-to-cel.ts';

type Task = Record<string, unknown>;

/** What `$.<input>…` stands for: the input's value, then the keys into it. */
function inputResolver(task: Task, conv: Conversion): DollarResolver {
  const inputs = isRecord(task['inputParameters']) ? task['inputParameters'] : {};
  return (keys) => {
    const [name, ...rest] = keys;
    if (typeof name !== 'string' || !Object.hasOwn(inputs, name)) {
      return {
        refused: `$.${String(name)}: not one of the task's inputParameters (${Object.keys(inputs).join(', ') || 'none'})`,
      };
    }
    const value = conv.cel(inputs[name]);
    if ('error' in value) return { refused: `$.${name}: ${value.error}` };
    if (rest.length > 0 && value.kind === 'string') {
      return {
        refused: `$.${name}.${rest.join('.')}: input ${name} is a var here (a string): it has no fields`,
      };
    }
    return select(value, rest);
  };
}

/** The switch expression as CEL; what does not convert is a problem, and the expression picks default. */
export function switchExpression(task: Task, at: Path, conv: Conversion, ref: string): string {
  const type = task['type'];
  let evaluator = typeof task['evaluatorType'] === 'string' ? task['evaluatorType'] : 'value-param';
  let expression = task['expression'];
  let field = 'expression';
  if (type === 'DECISION') {
    [evaluator, field] =
      task['caseExpression'] !== undefined
        ? ['javascript', 'caseExpression']
        : ['value-param', 'caseValueParam'];
    expression = task[field];
  }
  const fail = (why: string): string => {
    conv.problem(
      [...at, field],
      `switch "${ref}": ${why}; it was written to pick the default case`,
      ref,
    );
    return JSON.stringify(`not converted: ${String(expression)}`);
  };
  if (typeof expression !== 'string' || expression === '') return fail('no expression');
  const dollar = inputResolver(task, conv);
  if (evaluator === 'value-param') {
    const v = dollar([expression]);
    return 'refused' in v ? fail(v.refused) : v.cel;
  }
  if (evaluator !== 'javascript' && evaluator !== 'graaljs') {
    return fail(
      `the evaluatorType "${evaluator}" has no equivalent (javascript, graaljs and value-param do)`,
    );
  }
  const cel = jsToCel(expression, dollar);
  return cel.ok ? cel.cel : fail(`the expression does not convert to CEL: ${cel.reason}`);
}

/**
 * The loopCondition as CEL over `iteration` (the one just done, from 1), the
 * body tasks' outputs and the inputs; undefined (a problem) when it does not convert.
 */
export function loopCondition(
  task: Task,
  at: Path,
  conv: Conversion,
  ref: string,
  body: ReadonlySet<string>,
): string | undefined {
  const condition = task['loopCondition'];
  if (typeof condition !== 'string' || condition.trim() === '') {
    conv.problem([...at, 'loopCondition'], `loop "${ref}": no loopCondition`, ref);
    return undefined;
  }
  const inputs = inputResolver(task, conv);
  const dollar: DollarResolver = (keys) => {
    const [name, ...rest] = keys;
    if (name === ref) {
      if (rest.length === 1 && rest[0] === 'iteration') return { cel: 'iteration', kind: 'int' };
      return {
        refused: `$.${ref}.${rest.join('.')}: of the loop's own output only iteration converts`,
      };
    }
    if (typeof name === 'string' && body.has(name)) {
      const id = conv.idOf(name) ?? name;
      return select(select({ cel: 'tasks', kind: 'map' }, [id, 'output']), rest);
    }
    return inputs(keys);
  };
  const evaluator = task['evaluatorType'];
  if (evaluator === 'value-param') {
    const v: CelValue | { refused: string } = dollar([condition]);
    if (!('refused' in v)) return truthy(v).cel;
    conv.problem([...at, 'loopCondition'], `loop "${ref}": ${v.refused}`, ref);
    return undefined;
  }
  const cel = jsToCel(condition, dollar, 'bool');
  if (cel.ok) return cel.cel;
  conv.problem(
    [...at, 'loopCondition'],
    `loop "${ref}": the loopCondition does not convert to CEL: ${cel.reason}`,
    ref,
  );
  return undefined;
}
