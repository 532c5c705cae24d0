/**
 * INLINE (a script Conductor ran in its server) → the built-in `transform`
 * action when the script is one expression (or if/else of them): its jq
 * reads the other inputs as params, and its output is Conductor's
 * (`result`). A longer script does not convert: it becomes an action.
 */
import type { Conversion, Path } from './context.ts';
import { jsToJq, type JqValue } from './js-to-jq.ts';
import { placeholder, type TypePart } from './placeholder.ts';

type Task = Record<string, unknown>;

export function inlineScript(
  task: Task,
  inputs: Record<string, unknown>,
  at: Path,
  conv: Conversion,
  ref: string,
): TypePart {
  const { evaluatorType = 'javascript', expression, ...params } = inputs;
  const refuse = (why: string): TypePart => {
    conv.problem(
      [...at, 'expression'],
      `task "${ref}" (INLINE) does not convert: ${why}; write it as an action, or as a transform task (jq); it was written as an action task of its name`,
      ref,
    );
    return placeholder(task, inputs, at, conv, ref, 'INLINE');
  };
  if (typeof expression !== 'string' || expression.trim() === '') return refuse('no expression');
  const kind = (name: string): JqValue['kind'] | undefined => {
    if (!Object.hasOwn(params, name)) return undefined;
    const v = conv.cel(params[name]);
    if ('error' in v) return 'dyn';
    const kinds: Record<string, JqValue['kind']> = { int: 'number', double: 'number' };
    return (
      kinds[v.kind] ??
      (['string', 'bool', 'null'].includes(v.kind) ? (v.kind as JqValue['kind']) : 'dyn')
    );
  };
  let jq: string;
  if (evaluatorType === 'value-param') {
    if (kind(expression) === undefined) return refuse(`"${expression}" is not one of its inputs`);
    jq = `.${JSON.stringify(expression)}`;
  } else if (evaluatorType === 'javascript' || evaluatorType === 'graaljs') {
    const t = jsToJq(expression, kind);
    if (!t.ok) return refuse(`the script is not one expression jq can say: ${t.reason}`);
    jq = t.jq;
  } else {
    return refuse(`the evaluatorType "${String(evaluatorType)}" has no equivalent`);
  }
  const rendered = conv.params(params, at, ref) as Record<string, unknown>;
  return { actionName: 'transform', params: { queryExpression: jq, ...rendered } };
}
