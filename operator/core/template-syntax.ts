/**
 * The lexical pieces of task-param templates shared by their parsers: the
 * shapes of names and keys, the kinds of reference, and Go string literals.
 */

/** One `{{ }}` reference, with `text` as written (braces included) for messages. */
export type Reference =
  | { kind: 'var'; name: string; text: string }
  | { kind: 'shareData'; key: string; text: string }
  | { kind: 'output'; task: string; path: readonly string[]; text: string };

/** A string of params cut into literal text and references. */
export type ParsedTemplate =
  | {
      ok: true;
      parts: ReadonlyArray<string | Reference>;
      /** The string is exactly one `{{ }}`: a reference there keeps its value's type. */
      single: boolean;
    }
  | { ok: false; text: string; message: string };

/** A var name, as declared in `spec.vars` (api/dag.ts VarName). */
export const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
export const SHARE_DATA_KEY = /^[A-Za-z0-9_-]+$/;
export const PATH_KEY = /^[^.[\]\s"`]+/;
export const INDEX = /^(0|[1-9][0-9]*)$/;

export const SUPPORTED =
  'use {{name}}, {{.vars.name.Value}}, {{(index .vars "name").Value}}, {{.shareData.key}}, ' +
  '{{index .shareData "key"}}, {{tasks.<id>.output}}, {{tasks.<id>.output.<path>}}, ' +
  'or {{"{{"}} for literal braces';

export type Action = { ok: true; value: string | Reference } | { ok: false; message: string };

export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function quoteEnd(s: string, start: number): number {
  if (s[start] === '`') return s.indexOf('`', start + 1);
  for (let k = start + 1; k < s.length; k++) {
    if (s[k] === '\\') k++;
    else if (s[k] === '"') return k;
    else if (s[k] === '\n') return -1;
  }
  return -1;
}

/** A Go string literal at `start`: `"…"` with Go's escapes, or `` `…` `` taken as is. */
export function goString(src: string, start: number): { value: string; end: number } | undefined {
  const end = quoteEnd(src, start);
  if (end < 0) return undefined;
  if (src[start] === '`') return { value: src.slice(start + 1, end), end: end + 1 };
  const value = unquote(src.slice(start + 1, end));
  return value === undefined ? undefined : { value, end: end + 1 };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
};

/** Go's escapes inside `"…"`: \a \b \f \n \r \t \v \\ \" \xHH \ooo \uHHHH \UHHHHHHHH. */
function unquote(body: string): string | undefined {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i++;
      continue;
    }
    const code = numericEscape(body, i);
    if (code === undefined) return undefined;
    out += String.fromCodePoint(code.value);
    i += code.length - 1;
  }
  return out;
}

function numericEscape(body: string, at: number): { value: number; length: number } | undefined {
  const forms: ReadonlyArray<[RegExp, number]> = [
    [/^\\x([0-9A-Fa-f]{2})/, 16],
    [/^\\u([0-9A-Fa-f]{4})/, 16],
    [/^\\U([0-9A-Fa-f]{8})/, 16],
    [/^\\([0-7]{3})/, 8],
  ];
  const rest = body.slice(at, at + 10);
  for (const [re, radix] of forms) {
    const m = re.exec(rest);
    if (!m) continue;
    const value = parseInt(m[1] as string, radix);
    if (radix === 8 && value > 0xff) return undefined;
    if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return undefined;
    return { value, length: m[0].length };
  }
  return undefined;
}
