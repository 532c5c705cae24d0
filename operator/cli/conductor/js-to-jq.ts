/**
 * An INLINE task's script that is one expression → a jq expression for the
 * built-in `transform` action (its output is Conductor's: `result`): the jq
 * dialect of js-translate.ts. `$.x` is `.x`, the task's params.
 */
import { IDENTIFIER } from './cel-values.ts';
import { translateJs, type Dialect, type Keys } from './js-translate.ts';

/** jq text and what is known of its type: a var is rendered as a string. */
export type JqValue = { jq: string; kind: 'string' | 'number' | 'bool' | 'null' | 'dyn' };

/** The kind of the param `$.<name>` (a var's `{{x}}` renders a string), or undefined: no such param. */
export type ParamKinds = (name: string) => JqValue['kind'] | undefined;

export function jsToJq(
  script: string,
  kinds: ParamKinds,
): { ok: true; jq: string } | { ok: false; reason: string } {
  const t = translateJs(script, jqDialect(kinds));
  return t.ok ? { ok: true, jq: t.value.jq } : t;
}

const wrap = (jq: string, kind: JqValue['kind']): JqValue => ({ jq: `(${jq})`, kind });

/** A var (a string) against a number is read as that number, against a boolean as its text. */
function coerce(x: JqValue, other: JqValue): JqValue {
  if (x.kind === 'string' && other.kind === 'number') return wrap(`${x.jq} | tonumber`, 'number');
  if (x.kind === 'bool' && other.kind === 'string') return { jq: `"${x.jq}"`, kind: 'string' };
  return x;
}

function jqDialect(kinds: ParamKinds): Dialect<JqValue> {
  const truthy = (v: JqValue): JqValue => {
    if (v.kind === 'string') return wrap(`${v.jq} == "true"`, 'bool');
    if (v.kind === 'number') return wrap(`${v.jq} != 0`, 'bool');
    return v; // jq's own truthiness: false and null are false
  };
  return {
    name: 'jq',
    literal: (v) => ({
      jq: JSON.stringify(v),
      kind:
        v === null
          ? 'null'
          : typeof v === 'string'
            ? 'string'
            : typeof v === 'number'
              ? 'number'
              : 'bool',
    }),
    dollar: (keys: Keys) => {
      const [name, ...rest] = keys;
      const kind = typeof name === 'string' ? kinds(name) : undefined;
      if (kind === undefined)
        return { refused: `$.${String(name)}: not one of the task's inputParameters` };
      if (rest.length > 0 && kind === 'string') {
        return {
          refused: `$.${keys.join('.')}: input ${String(name)} is a var here (a string): it has no fields`,
        };
      }
      const path = keys
        .map((k) =>
          typeof k === 'number'
            ? `[${k}]`
            : IDENTIFIER.test(k)
              ? `.${k}`
              : `[${JSON.stringify(k)}]`,
        )
        .join('')
        .replace(/^\[/, '.[');
      return { jq: path, kind: rest.length > 0 ? 'dyn' : kind };
    },
    size: (v) => wrap(`${v.jq} | length`, 'number'),
    not: (v) => wrap(`${v.jq} | not`, 'bool'),
    negate: (v) => wrap(`0 - ${v.jq}`, 'number'),
    logical: (op, a, b) => wrap(`${a.jq} ${op === '&&' ? 'and' : 'or'} ${b.jq}`, 'bool'),
    compare: (op, left, right) =>
      wrap(`${coerce(left, right).jq} ${op} ${coerce(right, left).jq}`, 'bool'),
    arithmetic: (op, a, b) => {
      if (op === '+' && (a.kind === 'string' || b.kind === 'string')) {
        const str = (x: JqValue): string => (x.kind === 'string' ? x.jq : `(${x.jq} | tostring)`);
        return wrap(`${str(a)} + ${str(b)}`, 'string');
      }
      return wrap(`${coerce(a, b).jq} ${op} ${coerce(b, a).jq}`, 'number');
    },
    ternary: (test, yes, no) =>
      wrap(
        `if ${test.jq} then ${yes.jq} else ${no.jq} end`,
        yes.kind === no.kind ? yes.kind : 'dyn',
      ),
    truthy,
    isBool: (v, value) => v.jq === String(value),
  };
}
