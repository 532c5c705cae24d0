/**
 * Conductor's `${…}` references (`${workflow.input.x}`,
 * `${workflow.variables.x}`, `${ref.output.path}`) in a string: parsed into
 * pieces, then written as our `{{ }}` templates or as CEL values.
 */
import { celLiteral, celString, plus, select, type CelValue } from './cel-values.ts';

/** A var (a workflow input or variable) or a part of a task's output (keys and list indexes). */
export type ConductorRef =
  | { kind: 'var'; name: string; source: 'input' | 'variables' }
  | { kind: 'output'; ref: string; path: (string | number)[] };

export type Piece = string | ConductorRef;
export type Parsed = { ok: true; pieces: Piece[] } | { ok: false; message: string };

/** Cuts `s` into text and references; `$${` is a literal `${`. */
export function parseReferences(s: string): Parsed {
  const pieces: Piece[] = [];
  let text = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (!s.startsWith('${', i)) {
      text += s[i];
      i++;
      continue;
    }
    const close = s.indexOf('}', i + 2);
    const inner = close < 0 ? '' : s.slice(i + 2, close);
    if (close < 0) return { ok: false, message: `"${s.slice(i, i + 40)}" is not closed by "}"` };
    if (inner.includes('${')) {
      return { ok: false, message: `"${inner}": a reference inside a reference has no equivalent` };
    }
    const ref = parseReference(inner.trim());
    if (typeof ref === 'string') return { ok: false, message: ref };
    if (text !== '') pieces.push(text);
    pieces.push(ref);
    text = '';
    i = close + 1;
  }
  if (text !== '') pieces.push(text);
  return { ok: true, pieces };
}

/** `workflow.input.x`, `workflow.variables.x`, `<ref>.output[.path]`; a string says why not. */
function parseReference(expr: string): ConductorRef | string {
  const dot = expr.indexOf('.');
  const head = dot < 0 ? expr : expr.slice(0, dot);
  const tail = dot < 0 ? '' : expr.slice(dot + 1);
  if (head === 'workflow') {
    const [part, ...rest] = tail.split('.');
    if ((part === 'input' || part === 'variables') && rest.length === 1 && rest[0] !== '') {
      return { kind: 'var', name: rest[0] as string, source: part };
    }
    if (part === 'input' || part === 'variables') {
      return `\${${expr}}: only a whole input or variable converts (each is one var, a string): \${workflow.${part}.<name>}`;
    }
    return `\${${expr}}: the workflow's ${part || 'whole context'} has no equivalent in a Dag's templates`;
  }
  if (head === '') return `\${${expr}}: an empty reference`;
  const part = /^output(?=$|[.[])/.exec(tail);
  if (!part) {
    return `\${${expr}}: only a task's output is recorded (${tail.split(/[.[]/)[0] || 'the whole task'} is not)`;
  }
  const path = parseJsonPath(tail.slice(part[0].length));
  if (typeof path === 'string') return `\${${expr}}: ${path}`;
  return { kind: 'output', ref: head, path };
}

/** `.a`, `[0]`, `['a']`, `["a"]` segments of a definite JSONPath; a string says why not. */
export function parseJsonPath(src: string): (string | number)[] | string {
  const path: (string | number)[] = [];
  const seg = /^(?:\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\])/;
  let rest = src;
  while (rest !== '') {
    const m = seg.exec(rest);
    if (!m || m[1] === '*') {
      return `the path "${src.slice(1)}" is not a plain one (keys and list indexes): wildcards, filters and ".." have no equivalent`;
    }
    path.push(m[2] !== undefined ? Number(m[2]) : ((m[1] ?? m[3] ?? m[4]) as string));
    rest = rest.slice(m[0].length);
  }
  return path;
}

/** Where an output reference points in the Dag: a task id and the path in its output. */
export type Target = { task: string; path: (string | number)[] };
export type TargetOf = (ref: ConductorRef & { kind: 'output' }) => Target | string;

const PATH_KEY = /^[^.[\]\s"`]+$/;

/** The pieces as one of our templates (`{{x}}`, `{{tasks.id.output.a.0}}`). */
export function toTemplate(
  pieces: readonly Piece[],
  targetOf: TargetOf,
): string | { error: string } {
  let out = '';
  for (const p of pieces) {
    if (typeof p === 'string') {
      out += p.replaceAll('{{', '{{"{{"}}');
      continue;
    }
    if (p.kind === 'var') {
      out += `{{${p.name}}}`;
      continue;
    }
    const t = targetOf(p);
    if (typeof t === 'string') return { error: t };
    const path = t.path
      .map((k) => (typeof k === 'number' || PATH_KEY.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`))
      .join('');
    out += `{{tasks.${t.task}.output${path}}}`;
  }
  return out;
}

/** The pieces as a CEL value: a var is `vars.x` (a string), an output `tasks.id.output…`. */
export function toCel(pieces: readonly Piece[], targetOf: TargetOf): CelValue | { error: string } {
  let out: CelValue | undefined;
  for (const p of pieces) {
    let v: CelValue;
    if (typeof p === 'string') v = celString(p);
    else if (p.kind === 'var') v = select({ cel: 'vars', kind: 'map' }, [p.name]);
    else {
      const t = targetOf(p);
      if (typeof t === 'string') return { error: t };
      v = select(select({ cel: 'tasks', kind: 'map' }, [t.task, 'output']), t.path);
    }
    if (typeof p !== 'string' && p.kind === 'var') v = { ...v, kind: 'string' };
    out = out === undefined ? v : plus(out, v);
  }
  return out ?? celLiteral('');
}
