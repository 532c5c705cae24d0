/**
 * Conductor's JavaScript (SWITCH and DECISION expressions, a DO_WHILE's
 * loopCondition, an INLINE task's script), translated into another
 * language, its `Dialect`. The script is parsed with acorn and its syntax
 * tree translated: only the forms Conductor's docs and users write (an
 * expression, `if (c) { a; } else { b; }`, a function returning from ifs),
 * over `$` (the task's inputs); anything else is refused, naming what.
 */
import {
  parse,
  type AnyNode,
  type Expression,
  type MemberExpression,
  type Node,
  type Statement,
} from 'acorn';

export type Keys = readonly (string | number)[];

/** What each JavaScript form becomes in the target language (values of type V). */
export interface Dialect<V> {
  /** For messages: "CEL", "jq". */
  name: string;
  /** `raw`: a number's source text (`2.0` is a double). */
  literal(value: string | number | boolean | null, raw?: string): V;
  /** What `$` followed by these keys stands for (`$.a['b']` → ['a', 'b']), or why nothing. */
  dollar(keys: Keys): V | { refused: string };
  size(v: V): V;
  not(v: V): V;
  negate(v: V): V;
  logical(op: '&&' | '||', a: V, b: V): V;
  /** `op`: `==`, `!=`, `<`, `<=`, `>`, `>=` (JavaScript's `===` and `!==` are `==` and `!=`). */
  compare(op: string, a: V, b: V): V;
  /** `op`: `+`, `-`, `*`, `/`, `%`. */
  arithmetic(op: string, a: V, b: V): V;
  ternary(test: V, yes: V, no: V): V;
  /** The value as a condition, as JavaScript's truthiness read it. */
  truthy(v: V): V;
  isBool(v: V, value: boolean): boolean;
}

export type Translated<V> = { ok: true; value: V } | { ok: false; reason: string };

class Refused extends Error {}

function isRefusal(v: unknown): v is { refused: string } {
  return typeof v === 'object' && v !== null && 'refused' in v;
}

const refuse = (reason: string): never => {
  throw new Refused(reason);
};

/** Translates `script` into `dialect`; `bool`: the result is a condition. */
export function translateJs<V>(
  script: string,
  dialect: Dialect<V>,
  want: 'value' | 'bool' = 'value',
): Translated<V> {
  let program;
  try {
    program = parse(script, { ecmaVersion: 'latest', sourceType: 'script' });
  } catch (e) {
    return { ok: false, reason: `not JavaScript: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    const body = program.body.filter((s) => s.type !== 'EmptyStatement') as Statement[];
    const value = new Translator(script, dialect).script(body);
    return { ok: true, value: want === 'bool' ? dialect.truthy(value) : value };
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
const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);

export class Translator<V> {
  private readonly source: string;
  private readonly d: Dialect<V>;

  constructor(source: string, dialect: Dialect<V>) {
    this.source = source;
    this.d = dialect;
  }

  private text(n: Node): string {
    const t = this.source.slice(n.start, n.end);
    return t.length > 60 ? `${t.slice(0, 60)}…` : t;
  }

  /** A whole script: its value is its last statement's, as Conductor's evaluator reads it. */
  script(body: Statement[]): V {
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
  private statement(s: Statement, inFunction: boolean): V {
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
    return refuse(
      `"${this.text(s)}" (${s.type}) has no ${this.d.name} form: use one expression or if/else`,
    );
  }

  /** A function body of `if (c) return a;` statements ending with `return b`. */
  private returns(body: Statement[]): V {
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
    return refuse(
      `"${this.text(first)}" before the end of the function has no ${this.d.name} form`,
    );
  }

  private ternary(test: V, yes: V, no: V): V {
    // `if (c) { true; } else { false; }`, the form Conductor's docs show, is `c`.
    if (this.d.isBool(yes, true) && this.d.isBool(no, false)) return this.d.truthy(test);
    return this.d.ternary(this.d.truthy(test), yes, no);
  }

  private expr(n: Expression): V {
    const translate = this.forms[n.type] as ((n: Expression) => V | undefined) | undefined;
    return (
      translate?.(n) ?? refuse(`"${this.text(n)}" (${n.type}) has no ${this.d.name} form here`)
    );
  }

  /** The expression forms that translate; undefined: this one does not. */
  private readonly forms: {
    [K in Expression['type']]?: (n: Extract<Expression, { type: K }>) => V | undefined;
  } = {
    Literal: (n) => {
      if (n.value instanceof RegExp || typeof n.value === 'bigint') return undefined;
      return this.d.literal(n.value ?? null, n.raw);
    },
    Identifier: (n) =>
      n.name === 'undefined'
        ? this.d.literal(null)
        : refuse(`unknown name "${n.name}": the script reads the task's inputs as $.name`),
    MemberExpression: (n) => this.member(n),
    UnaryExpression: (n) => {
      if (n.operator === '!') return this.d.not(this.d.truthy(this.expr(n.argument)));
      return n.operator === '-' ? this.d.negate(this.expr(n.argument)) : undefined;
    },
    LogicalExpression: (n) => {
      if (n.operator === '??') return undefined;
      const [a, b] = [this.d.truthy(this.expr(n.left)), this.d.truthy(this.expr(n.right))];
      return this.d.logical(n.operator, a, b);
    },
    BinaryExpression: (n) =>
      n.left.type === 'PrivateIdentifier'
        ? undefined
        : this.binary(n.operator, this.expr(n.left), this.expr(n.right), n),
    ConditionalExpression: (n) =>
      this.ternary(this.expr(n.test), this.expr(n.consequent), this.expr(n.alternate)),
    TemplateLiteral: (n) => {
      let out = this.d.literal(n.quasis[0]?.value.cooked ?? '');
      n.expressions.forEach((x, i) => {
        const after = this.d.literal(n.quasis[i + 1]?.value.cooked ?? '');
        out = this.d.arithmetic('+', this.d.arithmetic('+', out, this.expr(x)), after);
      });
      return out;
    },
  };

  private binary(op: string, left: V, right: V, n: Node): V {
    const cmp = COMPARE[op];
    if (cmp !== undefined) return this.d.compare(cmp, left, right);
    if (ARITHMETIC.has(op)) return this.d.arithmetic(op, left, right);
    return refuse(`the operator "${op}" in "${this.text(n)}" has no ${this.d.name} form here`);
  }

  /** `$.a.b`, `$['a']`, `$.list.length`: the task's inputs. */
  private member(n: MemberExpression): V {
    const keys: (string | number)[] = [];
    let at: AnyNode = n;
    while (at.type === 'MemberExpression') {
      keys.unshift(this.key(at));
      at = at.object;
    }
    if (at.type !== 'Identifier' || at.name !== '$') {
      return refuse(`"${this.text(n)}": the script reads the task's inputs as $.name`);
    }
    const length = keys.at(-1) === 'length';
    const base = this.d.dollar(length ? keys.slice(0, -1) : keys);
    if (isRefusal(base)) return refuse(base.refused);
    return length ? this.d.size(base) : base;
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
