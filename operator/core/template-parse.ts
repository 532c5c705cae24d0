/**
 * Parsing task-param templates: a string cut into literal text and
 * `{{ }}` references (vars, share data, outputs of upstream tasks).
 */
import { parseGo } from './template-go.ts';
import {
  cut,
  goString,
  PATH_KEY,
  quoteEnd,
  SUPPORTED,
  VAR_NAME,
  type Action,
  type ParsedTemplate,
  type Reference,
} from './template-syntax.ts';

/** `tasks.<id>.output`: the id ends at the first `.output` segment. */
const OUTPUT_HEAD = /^tasks\.([A-Za-z0-9_.-]+?)\.output(?=$|[.[])/;

/** Cuts a string into text and references; the first malformed `{{ }}` is an error. */
export function parseTemplate(s: string): ParsedTemplate {
  const parts: Array<string | Reference> = [];
  let text = '';
  let at = 0;
  let actions = 0;
  for (let open = s.indexOf('{{'); open >= 0; open = s.indexOf('{{', at)) {
    text += s.slice(at, open);
    const close = findClose(s, open + 2);
    if (close < 0) {
      return { ok: false, text: cut(s.slice(open), 40), message: '"{{" is not closed by "}}"' };
    }
    const whole = s.slice(open, close + 2);
    const action = parseAction(s.slice(open + 2, close), whole);
    if (!action.ok) return { ok: false, text: cut(whole, 120), message: action.message };
    actions++;
    if (typeof action.value === 'string') text += action.value;
    else {
      if (text !== '') parts.push(text);
      parts.push(action.value);
      text = '';
    }
    at = close + 2;
  }
  text += s.slice(at);
  if (text !== '') parts.push(text);
  return { ok: true, parts, single: actions === 1 && s.startsWith('{{') && at === s.length };
}

/** Index of the `}}` closing an action that starts at `from`, skipping quoted strings. */
function findClose(s: string, from: number): number {
  for (let j = from; j < s.length - 1; j++) {
    const c = s[j];
    if (c === '}' && s[j + 1] === '}') return j;
    if (c === '"' || c === '`') {
      const end = quoteEnd(s, j);
      // An unterminated string: the action ends at the next "}}" and is refused as malformed.
      if (end < 0) return s.indexOf('}}', j);
      j = end;
    }
  }
  return -1;
}

function parseAction(inner: string, text: string): Action {
  const body = inner.trim();
  if (body === '') return { ok: false, message: `empty template; ${SUPPORTED}` };
  if (body.startsWith('tasks.')) return parseOutput(body, text);
  if (VAR_NAME.test(body)) return { ok: true, value: { kind: 'var', name: body, text } };
  return parseGo(body, text);
}

function parseOutput(body: string, text: string): Action {
  const head = OUTPUT_HEAD.exec(body);
  if (!head) {
    return {
      ok: false,
      message: 'expected {{tasks.<id>.output}} or {{tasks.<id>.output.<path>}}',
    };
  }
  const path = parsePath(body.slice(head[0].length));
  if (typeof path === 'string') return { ok: false, message: path };
  return { ok: true, value: { kind: 'output', task: head[1] as string, path, text } };
}

/** `.key`, `.0`, `[0]`, `["key"]` segments; a string is an error message. */
function parsePath(src: string): string[] | string {
  const path: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '.') {
      const key = PATH_KEY.exec(src.slice(i + 1))?.[0];
      if (key === undefined) return `bad output path at "${src.slice(i)}": a key must follow "."`;
      path.push(key);
      i += 1 + key.length;
    } else if (c === '[') {
      const seg = bracket(src, i);
      if (seg === undefined) {
        return `bad output path at "${src.slice(i)}": use [<index>] or ["<key>"]`;
      }
      path.push(seg.key);
      i = seg.end;
    } else {
      return `bad output path at "${src.slice(i)}": use .key, .0, [0] or ["key"]`;
    }
  }
  return path;
}

function bracket(src: string, open: number): { key: string; end: number } | undefined {
  const index = /^\[(0|[1-9][0-9]*)\]/.exec(src.slice(open));
  if (index) return { key: index[1] as string, end: open + index[0].length };
  const str = goString(src, open + 1);
  if (!str || src[str.end] !== ']') return undefined;
  return { key: str.value, end: str.end + 1 };
}
