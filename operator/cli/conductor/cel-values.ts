/**
 * CEL text with what is known of its type, so that the translation of a
 * Conductor condition can coerce where JavaScript did implicitly (a var is a
 * string here, where Conductor passed the input's own JSON type).
 */

export type CelKind = 'string' | 'int' | 'double' | 'bool' | 'null' | 'list' | 'map' | 'dyn';

/**
 * `prec`: the precedence of an operator expression (absent: an atom), so
 * that it is parenthesized only where an operand binds tighter.
 */
export type CelValue = { cel: string; kind: CelKind; prec?: number };

/** CEL's precedence levels, loosest first. */
export const PREC = { ternary: 1, or: 2, and: 3, relation: 4, add: 5, multiply: 6, unary: 7 };

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** CEL reserved words: never written as a field selection (`x.in`). */
const RESERVED = new Set([
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
  'true',
  'false',
  'null',
]);

/** `v` as an operand that must bind at least as tight as `min`. */
export function operand(v: CelValue, min = PREC.unary): string {
  return v.prec !== undefined && v.prec < min ? `(${v.cel})` : v.cel;
}

/** `base.key`, `base["key"]` or `base[0]`, per key. */
export function select(base: CelValue, keys: readonly (string | number)[]): CelValue {
  let cel = operand(base);
  for (const key of keys) {
    if (typeof key === 'number') cel += `[${key}]`;
    else if (IDENTIFIER.test(key) && !RESERVED.has(key)) cel += `.${key}`;
    else cel += `[${JSON.stringify(key)}]`;
  }
  return keys.length === 0 ? base : { cel, kind: 'dyn' };
}

/** A CEL string literal (JSON's escapes are CEL's). */
export function celString(s: string): CelValue {
  return { cel: JSON.stringify(s), kind: 'string' };
}

/** A JSON value as a CEL literal. */
export function celLiteral(v: unknown): CelValue {
  if (v === null || v === undefined) return { cel: 'null', kind: 'null' };
  if (typeof v === 'string') return celString(v);
  if (typeof v === 'boolean') return { cel: String(v), kind: 'bool' };
  if (typeof v === 'number') {
    return Number.isInteger(v)
      ? { cel: String(v), kind: 'int' }
      : { cel: String(v), kind: 'double' };
  }
  if (Array.isArray(v))
    return { cel: `[${v.map((x) => celLiteral(x).cel).join(', ')}]`, kind: 'list' };
  const entries = Object.entries(v as Record<string, unknown>);
  return {
    cel: `{${entries.map(([k, x]) => `${JSON.stringify(k)}: ${celLiteral(x).cel}`).join(', ')}}`,
    kind: 'map',
  };
}

/** `v` where CEL wants a bool, as JavaScript's truthiness read the value it stands for. */
export function truthy(v: CelValue): CelValue {
  switch (v.kind) {
    case 'bool':
      return v;
    case 'null':
      return { cel: 'false', kind: 'bool' };
    // A var holds the text of what Conductor passed as a boolean.
    case 'string':
      return relation(v, '==', celString('true'));
    case 'int':
      return relation(v, '!=', { cel: '0', kind: 'int' });
    case 'double':
      return relation(v, '!=', { cel: '0.0', kind: 'double' });
    case 'dyn':
    case 'list':
    case 'map':
      return relation(v, '==', { cel: 'true', kind: 'bool' });
  }
}

const isNumber = (k: CelKind): boolean => k === 'int' || k === 'double';

/**
 * The two operands of a comparison or arithmetic made comparable, as
 * JavaScript's loose rules made them: a string (a var) against a number is
 * read as that number, against a boolean as its text; an int against a
 * double becomes a double.
 */
export function coerce(a: CelValue, b: CelValue): [CelValue, CelValue] {
  const fix = (x: CelValue, other: CelValue): CelValue => {
    if (x.kind === 'string' && isNumber(other.kind)) {
      return { cel: `${other.kind}(${x.cel})`, kind: other.kind };
    }
    if (x.kind === 'bool' && other.kind === 'string' && x.prec === undefined) {
      return celString(x.cel);
    }
    if (x.kind === 'int' && other.kind === 'double') {
      return { cel: `double(${x.cel})`, kind: 'double' };
    }
    return x;
  };
  return [fix(a, b), fix(b, a)];
}

/** `a + b`: string concatenation when either is a string, else arithmetic. */
export function plus(a: CelValue, b: CelValue): CelValue {
  if (a.kind === 'string' || b.kind === 'string') {
    if (b.cel === '""') return a;
    if (a.cel === '""') return b;
    const str = (x: CelValue): CelValue =>
      x.kind === 'string' ? x : { cel: `string(${x.cel})`, kind: 'string' };
    return infix(str(a), '+', str(b), PREC.add, 'string');
  }
  const [x, y] = coerce(a, b);
  return infix(x, '+', y, PREC.add, numericKind(x, y));
}

/** `a op b` at precedence `prec` (left-associative). */
export function infix(a: CelValue, op: string, b: CelValue, prec: number, kind: CelKind): CelValue {
  return { cel: `${operand(a, prec)} ${op} ${operand(b, prec + 1)}`, kind, prec };
}

/** A comparison: its operands coerced as JavaScript compared them. */
export function relation(left: CelValue, op: string, right: CelValue): CelValue {
  const [a, b] = coerce(left, right);
  return infix(a, op, b, PREC.relation, 'bool');
}

export function numericKind(a: CelValue, b: CelValue): CelKind {
  if (a.kind === 'double' || b.kind === 'double') return 'double';
  if (a.kind === 'int' && b.kind === 'int') return 'int';
  return 'dyn';
}
