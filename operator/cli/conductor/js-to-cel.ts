/**
 * Conductor's JavaScript conditions → CEL (the switch expression, the loop's
 * `while`): the CEL dialect of js-translate.ts.
 */
import {
  celLiteral,
  coerce,
  infix,
  numericKind,
  operand,
  plus,
  PREC,
  relation,
  truthy,
  type CelValue,
} from './cel-values.ts';
import { translateJs, type Dialect, type Keys } from './js-translate.ts';

/** What `$` followed by these keys stands for, or why nothing. */
export type DollarResolver = (keys: Keys) => CelValue | { refused: string };

export type Translation = { ok: true; cel: string } | { ok: false; reason: string };

/** Translates `script`; `bool`: the result is a condition, read with JavaScript's truthiness. */
export function jsToCel(
  script: string,
  dollar: DollarResolver,
  want: 'value' | 'bool' = 'value',
): Translation {
  const t = translateJs(script, celDialect(dollar), want);
  return t.ok ? { ok: true, cel: t.value.cel } : t;
}

function celDialect(dollar: DollarResolver): Dialect<CelValue> {
  return {
    name: 'CEL',
    literal: (v, raw) =>
      typeof v === 'number' && /[.eE]/.test(raw ?? '')
        ? { cel: String(v).includes('.') ? String(v) : `${v}.0`, kind: 'double' }
        : celLiteral(v),
    dollar,
    size: (v) => ({ cel: `size(${v.cel})`, kind: 'int' }),
    not: (v) => ({ cel: `!${operand(v)}`, kind: 'bool', prec: PREC.unary }),
    negate: (v) => ({ cel: `-${operand(v)}`, kind: v.kind, prec: PREC.unary }),
    logical: (op, a, b) => infix(a, op, b, op === '&&' ? PREC.and : PREC.or, 'bool'),
    compare: (op, a, b) => relation(a, op, b),
    arithmetic: (op, left, right) => {
      if (op === '+') return plus(left, right);
      const [a, b] = coerce(left, right);
      return infix(a, op, b, op === '-' ? PREC.add : PREC.multiply, numericKind(a, b));
    },
    ternary: (test, yes, no) => ({
      cel: `${operand(test, PREC.or)} ? ${operand(yes, PREC.or)} : ${operand(no, PREC.ternary)}`,
      kind: yes.kind === no.kind ? yes.kind : 'dyn',
      prec: PREC.ternary,
    }),
    truthy,
    isBool: (v, value) => v.cel === String(value),
  };
}
