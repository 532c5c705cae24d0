/**
 * Conductor's JavaScript conditions (SWITCH and DECISION expressions, a
 * DO_WHILE's loopCondition) → CEL. The script is parsed with acorn and its
 * syntax tree translated: only the forms Conductor's docs and users write
 * (an expression, `if (c) { a; } else { b; }`, a function returning from
 * ifs), over `$` (the task's inputs); anything else is refused, naming what.
 */
import {
  parse,
  type AnyNode,
  type Expression,
  type MemberExpression,
  type Node,
  type Statement,
} from 'acorn';
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

/** What `$` followed by these keys stands for (`$.a['b']` → ['a', 'b']), or why nothing. */
export type DollarResolver = (keys: readonly (string | number)[]) => CelValue | { refused: string };

export type Translation = { ok: true; cel: string } | { ok: false; reason: string };

class Refused extends Error {}

const refuse = (reason: string): never => {
  throw new Refused(reason);
};

/**
 * Translates `script`; `$` is resolved by `dollar`. `bool`: the result is a
 * condition, read with JavaScript's truthiness.
 */
export function jsToCel(
  script: string,
  dollar: DollarResolver,
  want: 'value' | 'bool' = 'value',
): Translation {
  let program;
  try {
    program = parse(script, { ecmaVersion: 'latest', sourceType: 'script' });
  } catch (e) {
    return { ok: false, reason: `not JavaScript: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    const body = program.body.filter((s) => s.type !== 'EmptyStatement') as Statement[];
    const value = new Translator(script, dollar).script(body);
    return { ok: true, cel: (want === 'bool' ? truthy(value) : value).cel };
  } catch (e) {
    if (e instanceof Refused) return { ok: false, reason: e.message };
    throw e;
  }
}

const COMPARE: Record<string, string> = {
  '==': '==',
  '===': '==',
  '!=': '!=',
  '!==': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};
const ARITHMETIC = new Set(['-', '*', '/', '%']);

class Translator {
  private readonly source: string;
  private readonly dollar: DollarResolver;

  constructor(source: string, dollar: DollarResolver) {
    this.source = source;
    this.dollar = dollar;
  }

  private text(n: Node): string {
    const t = this.source.slice(n.start, n.end);
    return t.length > 60 ? `${t.slice(0, 60)}…` : t;
  }

  /** A whole script: its value is its last statement's, as Conductor's evaluator reads it. */
  script(body: Statement[]): CelValue {
    const only = body[0];
    if (body.length !== 1 || only === undefined) {
      return refuse(
        `a script of ${body.length} statements, not one expression or if/else: rewrite it as one expression`,
      );
    }
    if (only.type === 'ExpressionStatement') {
      const fn = immediateFunction(only.expression);
      return fn ? this.returns(fn) : this.expr(only.expression);
    }
    return this.statement(only, false);
  }

  /** A statement that yields a value: `x;`, `{ x; }`, if/else of those, `return x` in a function. */
  private statement(s: Statement, inFunction: boolean): CelValue {
    if (s.type === 'ExpressionStatement' && !inFunction) return this.expr(s.expression);
    if (s.type === 'ReturnStatement' && inFunction && s.argument) return this.expr(s.argument);
    if (s.type === 'BlockStatement') {
      if (inFunction) return this.returns(s.body);
      if (s.body.length === 1 && s.body[0]) return this.statement(s.body[0], false);
    }
    if (s.type === 'IfStatement') {
      if (!s.alternate) {
        return refuse(`"if" without "else" at "${this.text(s)}": it has no value when false`);
      }
      return this.ternary(
        this.expr(s.test),
        this.statement(s.consequent, inFunction),
        this.statement(s.alternate, inFunction),
      );
    }
    return refuse(`"${this.text(s)}" (${s.type}) has no CEL form: use one expression or if/else`);
  }

  /** A function body of `if (c) return a;` statements ending with `return b`. */
  private returns(body: Statement[]): CelValue {
    const [first, ...rest] = body.filter((s) => s.type !== 'EmptyStatement');
    if (!first) return refuse('a function that returns nothing');
    if (rest.length === 0) return this.statement(first, true);
    if (first.type === 'IfStatement' && !first.alternate) {
      return this.ternary(
        this.expr(first.test),
        this.statement(first.consequent, true),
        this.returns(rest),
      );
    }
    return refuse(`"${this.text(first)}" before the end of the function has no CEL form`);
  }

  private ternary(test: CelValue, yes: CelValue, no: CelValue): CelValue {
    // `if (c) { true; } else { false; }`, the form Conductor's docs show, is `c`.
    if (yes.cel === 'true' && no.cel === 'false') return truthy(test);
    const kind = yes.kind === no.kind ? yes.kind : 'dyn';
    return {
      cel: `${operand(truthy(test), PREC.or)} ? ${operand(yes, PREC.or)} : ${operand(no, PREC.ternary)}`,
      kind,
      prec: PREC.ternary,
    };
  }

  private expr(n: Expression): CelValue {
    const translate = this.forms[n.type] as ((n: Expression) => CelValue | undefined) | undefined;
    return translate?.(n) ?? refuse(`"${this.text(n)}" (${n.type}) has no CEL form here`);
  }

  /** The expression forms that translate; undefined: this one does not. */
  private readonly forms: {
    [K in Expression['type']]?: (n: Extract<Expression, { type: K }>) => CelValue | undefined;
  } = {
    Literal: (n) => {
      if (n.value instanceof RegExp || typeof n.value === 'bigint') return undefined;
      if (typeof n.value === 'number' && /[.eE]/.test(n.raw ?? '')) {
        const text = String(n.value);
        return { cel: text.includes('.') ? text : `${text}.0`, kind: 'double' };
      }
      return celLiteral(n.value);
    },
    Identifier: (n) =>
      n.name === 'undefined'
        ? celLiteral(null)
        : refuse(`unknown name "${n.name}": a condition reads the task's inputs as $.name`),
    MemberExpression: (n) => this.member(n),
    UnaryExpression: (n) => {
      if (n.operator === '!') {
        return {
          cel: `!${operand(truthy(this.expr(n.argument)))}`,
          kind: 'bool',
          prec: PREC.unary,
        };
      }
      if (n.operator !== '-') return undefined;
      const v = this.expr(n.argument);
      return { cel: `-${operand(v)}`, kind: v.kind, prec: PREC.unary };
    },
    LogicalExpression: (n) => {
      if (n.operator === '??') return undefined;
      const [op, prec] = n.operator === '&&' ? ['&&', PREC.and] : ['||', PREC.or];
      return infix(truthy(this.expr(n.left)), op, truthy(this.expr(n.right)), prec, 'bool');
    },
    BinaryExpression: (n) =>
      n.left.type === 'PrivateIdentifier'
        ? undefined
        : this.binary(n.operator, this.expr(n.left), this.expr(n.right), n),
    ConditionalExpression: (n) =>
      this.ternary(this.expr(n.test), this.expr(n.consequent), this.expr(n.alternate)),
    TemplateLiteral: (n) => {
      let out: CelValue = celLiteral(n.quasis[0]?.value.cooked ?? '');
      n.expressions.forEach((x, i) => {
        out = plus(plus(out, this.expr(x)), celLiteral(n.quasis[i + 1]?.value.cooked ?? ''));
      });
      return out;
    },
  };

  private binary(op: string, left: CelValue, right: CelValue, n: Node): CelValue {
    if (op === '+') return plus(left, right);
    const cmp = COMPARE[op];
    if (cmp !== undefined) return relation(left, cmp, right);
    if (ARITHMETIC.has(op)) {
      const [a, b] = coerce(left, right);
      const prec = op === '-' ? PREC.add : PREC.multiply;
      return infix(a, op, b, prec, numericKind(a, b));
    }
    return refuse(`the operator "${op}" in "${this.text(n)}" has no CEL form here`);
  }

  /** `$.a.b`, `$['a']`, `$.list.length`: the task's inputs. */
  private member(n: MemberExpression): CelValue {
    const keys: (string | number)[] = [];
    let at: AnyNode = n;
    while (at.type === 'MemberExpression') {
      keys.unshift(this.key(at));
      at = at.object;
    }
    if (at.type !== 'Identifier' || at.name !== '$') {
      return refuse(`"${this.text(n)}": a condition reads the task's inputs as $.name`);
    }
    const length = keys.at(-1) === 'length';
    const base = this.dollar(length ? keys.slice(0, -1) : keys);
    if ('refused' in base) return refuse(base.refused);
    return length ? { cel: `size(${base.cel})`, kind: 'int' } : base;
  }

  private key(m: MemberExpression): string | number {
    const p = m.property;
    if (!m.computed && p.type === 'Identifier') return p.name;
    if (m.computed && p.type === 'Literal') {
      if (typeof p.value === 'string') return p.value;
      if (typeof p.value === 'number' && Number.isInteger(p.value)) return p.value;
    }
    return refuse(`"${this.text(m)}": only fixed keys ($.a.b, $['a'], $.list[0]) have a CEL form`);
  }
}

/** The statements of `(function () { … })()` or `(() => { … })()`, else undefined. */
function immediateFunction(e: Expression): Statement[] | undefined {
  if (e.type !== 'CallExpression' || e.arguments.length > 0) return undefined;
  const f = e.callee;
  if (f.type !== 'FunctionExpression' && f.type !== 'ArrowFunctionExpression') return undefined;
  const body = f.body;
  if (body.type === 'BlockStatement') return body.body;
  return [{ type: 'ReturnStatement', argument: body, start: body.start, end: body.end }];
}
