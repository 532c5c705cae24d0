/**
 * The one renderer of task params. It accepts both of fastflow's template
 * passes and reads the outputs of upstream tasks:
 *
 * | written                                   | value                                   |
 * |-------------------------------------------|-----------------------------------------|
 * | `{{name}}`, `{{ name }}`                   | the var (fastflow pass 1)               |
 * | `{{.vars.name.Value}}`                     | the var (fastflow pass 2, Go template)  |
 * | `{{(index .vars "a-b").Value}}`            | the var, any name (Go template)         |
 * | `{{.shareData.key}}`                       | the share-data value (Go template)      |
 * | `{{index .shareData "a-b"}}`               | the share-data value, any key           |
 * | `{{tasks.fetch.output}}`                   | the whole output of upstream task fetch |
 * | `{{tasks.fetch.output.items.0.name}}`      | a part of it: keys and list indexes     |
 * | `{{tasks.fetch.output["a.b"][0]}}`          | the same with keys that hold `.`        |
 * | `{{"{{"}}`, `` {{`{{x}}`}} ``              | literal text (Go's escape)              |
 *
 * Whitespace is allowed inside the braces. Go strings are `"…"` (Go escapes)
 * or `` `…` `` (raw). Nothing else of Go's template language is accepted
 * (pipes, functions, `$`, trim markers, comments): a template this renderer
 * does not understand is refused when the Dag is applied, never left as text.
 *
 * A string that is exactly one reference takes the referenced value with its
 * JSON type (an output's number, list or object); a reference inside longer
 * text is interpolated (lists and objects as JSON). Values are inserted once:
 * a value that itself contains `{{ }}` is not rendered again. Map keys are
 * never rendered.
 *
 * Differences from fastflow: an unknown `{{x}}` is refused at apply time (it
 * stayed as text); a var's value is not re-read as a Go template; `.vars.x.Value`
 * and `.shareData.k` also accept names with `-` (and vars with `.`), which Go
 * could only reach through `index`.
 */

/** One `{{ }}` reference, with `text` as written (braces included) for messages. */
export type Reference =
  | { kind: 'var'; name: string; text: string }
  | { kind: 'shareData'; key: string; text: string }
  | { kind: 'output'; task: string; path: readonly string[]; text: string };

export interface TemplateSources {
  /** The instance's resolved vars. */
  vars: Readonly<Record<string, string>>;
  shareData: Readonly<Record<string, string>>;
  /** Output of each finished task, by task id; a task absent has no output. */
  outputs: Readonly<Record<string, unknown>>;
}

export type RenderResult = { ok: true; value: unknown } | { ok: false; message: string };

/** A string of params cut into literal text and references. */
export type ParsedTemplate =
  | {
      ok: true;
      parts: ReadonlyArray<string | Reference>;
      /** The string is exactly one `{{ }}`: a reference there keeps its value's type. */
      single: boolean;
    }
  | { ok: false; text: string; message: string };

export interface ReferenceAt {
  /** Field path of the string, e.g. `params.target` or `spec.tasks[2].params.list[0]`. */
  path: string;
  ref: Reference;
}

export interface TemplateError {
  path: string;
  /** The offending template as written (an unclosed one is cut short). */
  text: string;
  message: string;
}

/** A var name, as declared in `spec.vars` (api/dag.ts VarName). */
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const SHARE_DATA_KEY = /^[A-Za-z0-9_-]+$/;
/** `tasks.<id>.output`: the id ends at the first `.output` segment. */
const OUTPUT_HEAD = /^tasks\.([A-Za-z0-9_.-]+?)\.output(?=$|[.[])/;
const PATH_KEY = /^[^.[\]\s"`]+/;
const INDEX = /^(0|[1-9][0-9]*)$/;
const PLAIN_PARAM_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const SUPPORTED =
  'use {{name}}, {{.vars.name.Value}}, {{(index .vars "name").Value}}, {{.shareData.key}}, ' +
  '{{index .shareData "key"}}, {{tasks.<id>.output}}, {{tasks.<id>.output.<path>}}, ' +
  'or {{"{{"}} for literal braces';

/** Longest message renderParams returns (a task's status message holds 4 KiB). */
const MAX_RENDER_MESSAGE = 2048;

// ---------------------------------------------------------------------------
// Rendering

/**
 * Renders every string of `params` (maps and lists walked recursively; keys
 * kept as written). The result is a new value: the input is never modified
 * nor shared with it. Every failure is reported, each naming the field path
 * and the template, e.g. `params.target: {{.shareData.ip}}: share data has no key "ip"`.
 */
export function renderParams(params: unknown, sources: TemplateSources): RenderResult {
  const errors: string[] = [];
  const value = mapStrings(params, 'params', (s, path) => {
    if (!s.includes('{{')) return s;
    const parsed = parseTemplate(s);
    if (!parsed.ok) {
      errors.push(`${path}: ${parsed.text}: ${parsed.message}`);
      return s;
    }
    const rendered = renderParsed(parsed, sources);
    if (!rendered.ok) errors.push(`${path}: ${rendered.message}`);
    return rendered.ok ? rendered.value : s;
  });
  if (errors.length === 0) return { ok: true, value };
  return { ok: false, message: joinCapped(errors, MAX_RENDER_MESSAGE) };
}

/** Every well-formed reference in `params`, with the path of its string, in walk order. */
export function templateReferences(params: unknown, prefix = 'params'): ReferenceAt[] {
  return scanTemplates(params, prefix).references;
}

/** Whether any string of `params` holds `{{` (rendering may change or refuse it). */
export function hasTemplates(params: unknown): boolean {
  if (typeof params === 'string') return params.includes('{{');
  if (Array.isArray(params)) return params.some(hasTemplates);
  if (isRecord(params)) return Object.values(params).some(hasTemplates);
  return false;
}

/** References and syntax errors of every string in `params`, each with its field path. */
export function scanTemplates(
  params: unknown,
  prefix = 'params',
): { references: ReferenceAt[]; errors: TemplateError[] } {
  const references: ReferenceAt[] = [];
  const errors: TemplateError[] = [];
  forEachTemplate(params, prefix, (path, parsed) => {
    if (!parsed.ok) {
      errors.push({ path, text: parsed.text, message: parsed.message });
      return;
    }
    for (const ref of parsed.parts) if (typeof ref !== 'string') references.push({ path, ref });
  });
  return { references, errors };
}

/** Calls `visit` with the field path and the parse of each string of `params` that holds `{{`. */
export function forEachTemplate(
  params: unknown,
  prefix: string,
  visit: (path: string, parsed: ParsedTemplate) => void,
): void {
  forEachString(params, prefix, (s, path) => {
    if (s.includes('{{')) visit(path, parseTemplate(s));
  });
}

function renderParsed(
  parsed: Extract<ParsedTemplate, { ok: true }>,
  sources: TemplateSources,
): RenderResult {
  const { parts, single } = parsed;
  const only = parts[0];
  if (single && parts.length === 1 && typeof only === 'object') {
    const r = resolve(only, sources);
    return r.ok ? { ok: true, value: cloneJson(r.value) } : r;
  }
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const r = resolve(part, sources);
    if (!r.ok) return r;
    out += typeof r.value === 'string' ? r.value : JSON.stringify(r.value);
  }
  return { ok: true, value: out };
}

function resolve(ref: Reference, sources: TemplateSources): RenderResult {
  switch (ref.kind) {
    case 'var':
      if (Object.hasOwn(sources.vars, ref.name)) return { ok: true, value: sources.vars[ref.name] };
      return fail(ref, `var "${ref.name}" is not declared ${declaredList(sources.vars)}`);
    case 'shareData':
      if (Object.hasOwn(sources.shareData, ref.key)) {
        return { ok: true, value: sources.shareData[ref.key] };
      }
      return fail(ref, `share data has no key ${JSON.stringify(ref.key)}`);
    case 'output':
      return resolveOutput(ref, sources.outputs);
  }
}

function resolveOutput(
  ref: Extract<Reference, { kind: 'output' }>,
  outputs: Readonly<Record<string, unknown>>,
): RenderResult {
  let current = Object.hasOwn(outputs, ref.task) ? outputs[ref.task] : undefined;
  if (current === undefined) return fail(ref, `task "${ref.task}" has no output`);
  for (let i = 0; i < ref.path.length; i++) {
    const key = ref.path[i] as string;
    const next = child(current, key);
    if (next === undefined) {
      const where = i === 0 ? 'the output' : displayPath(ref.path.slice(0, i));
      return fail(
        ref,
        `the output of task "${ref.task}" has no ${displayPath(ref.path.slice(0, i + 1))} (${where} ${describe(current)})`,
      );
    }
    current = next;
  }
  return { ok: true, value: current };
}

function child(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return INDEX.test(key) ? (value[Number(key)] as unknown) : undefined;
  if (isRecord(value) && Object.hasOwn(value, key)) return value[key];
  return undefined;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `is a list of ${value.length}`;
  if (value === null) return 'is null';
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'is an empty object';
    const shown = keys.slice(0, 10).map((k) => JSON.stringify(k));
    return `has keys ${shown.join(', ')}${keys.length > 10 ? `, … (${keys.length})` : ''}`;
  }
  return `is a ${typeof value}`;
}

function fail(ref: Reference, message: string): RenderResult {
  return { ok: false, message: `${ref.text}: ${message}` };
}

/** `(declared: a, b)` with at most 20 names, for messages about unknown vars. */
export function declaredList(vars: Readonly<Record<string, unknown>> | undefined): string {
  const names = Object.keys(vars ?? {});
  if (names.length === 0) return '(the Dag declares no vars)';
  const shown = names.slice(0, 20).join(', ');
  return `(declared: ${shown}${names.length > 20 ? `, and ${names.length - 20} more` : ''})`;
}

/** Joins messages with "; ", at most `max` characters, ending with a count of those left out. */
export function joinCapped(messages: readonly string[], max: number): string {
  const reserve = 32; // room for "; … and 12345 more"
  let out = '';
  for (let i = 0; i < messages.length; i++) {
    const piece = (i === 0 ? '' : '; ') + (messages[i] as string);
    const last = i === messages.length - 1;
    if (out.length + piece.length <= (last ? max : max - reserve)) {
      out += piece;
      continue;
    }
    const more = `; … and ${messages.length - i - (i === 0 ? 1 : 0)} more`;
    if (i > 0) return out + more;
    return `${piece.slice(0, max - reserve - 1)}…${last ? '' : more}`;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Walking params

type Visit = (s: string, path: string) => unknown;

function mapStrings(value: unknown, path: string, visit: Visit): unknown {
  if (typeof value === 'string') return visit(value, path);
  if (Array.isArray(value)) return value.map((v, i) => mapStrings(v, `${path}[${i}]`, visit));
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, mapStrings(v, keyPath(path, k), visit)]),
    );
  }
  return value;
}

function forEachString(value: unknown, path: string, visit: (s: string, path: string) => void) {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => forEachString(v, `${path}[${i}]`, visit));
  else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) forEachString(v, keyPath(path, k), visit);
  }
}

function keyPath(path: string, key: string): string {
  return PLAIN_PARAM_KEY.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneJson(v)]));
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function displayPath(path: readonly string[]): string {
  return path
    .map((k, i) =>
      PATH_KEY.exec(k)?.[0] === k ? `${i === 0 ? '' : '.'}${k}` : `[${JSON.stringify(k)}]`,
    )
    .join('');
}

// ---------------------------------------------------------------------------
// Parsing

type Action = { ok: true; value: string | Reference } | { ok: false; message: string };

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

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
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

function quoteEnd(s: string, start: number): number {
  if (s[start] === '`') return s.indexOf('`', start + 1);
  for (let k = start + 1; k < s.length; k++) {
    if (s[k] === '\\') k++;
    else if (s[k] === '"') return k;
    else if (s[k] === '\n') return -1;
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

// ---------------------------------------------------------------------------
// The Go template forms

type Token = { kind: 'word'; value: string } | { kind: 'string'; value: string } | '(' | ')';

function parseGo(body: string, text: string): Action {
  const tokens = tokenize(body);
  if (typeof tokens === 'string') return { ok: false, message: tokens };
  const [first, , third] = tokens;
  const words = tokens.map((t) => (typeof t === 'string' ? t : t.kind === 'word' ? t.value : '"'));
  const shape = words.join(' ');
  if (tokens.length === 1 && typeof first === 'object' && first.kind === 'string') {
    return { ok: true, value: first.value };
  }
  if (tokens.length === 1 && shape.startsWith('.')) return fieldChain(shape, text);
  if (shape === 'index .shareData "' && typeof third === 'object') {
    return { ok: true, value: { kind: 'shareData', key: third.value, text } };
  }
  const name = tokens[3];
  if (shape === '( index .vars " ) .Value' && typeof name === 'object') {
    return { ok: true, value: { kind: 'var', name: name.value, text } };
  }
  if (shape.startsWith('index .vars')) {
    const quoted = JSON.stringify(typeof third === 'object' ? third.value : 'name');
    return {
      ok: false,
      message: `a var is a struct in Go templates: write {{(index .vars ${quoted}).Value}}`,
    };
  }
  return { ok: false, message: `not a supported template; ${SUPPORTED}` };
}

function fieldChain(chain: string, text: string): Action {
  if (chain.startsWith('.vars.')) {
    const rest = chain.slice('.vars.'.length);
    if (rest.endsWith('.Value') && VAR_NAME.test(rest.slice(0, -'.Value'.length))) {
      return { ok: true, value: { kind: 'var', name: rest.slice(0, -'.Value'.length), text } };
    }
    if (VAR_NAME.test(rest)) {
      return {
        ok: false,
        message: `a var is a struct in Go templates: write {{.vars.${rest}.Value}}`,
      };
    }
  }
  if (chain.startsWith('.shareData.')) {
    const key = chain.slice('.shareData.'.length);
    if (SHARE_DATA_KEY.test(key)) return { ok: true, value: { kind: 'shareData', key, text } };
    return {
      ok: false,
      message: `write {{index .shareData ${JSON.stringify(key)}}} for a key with "." or other characters`,
    };
  }
  return { ok: false, message: `not a supported template; ${SUPPORTED}` };
}

function tokenize(body: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i] as string;
    if (/\s/.test(c)) i++;
    else if (c === '(' || c === ')') {
      tokens.push(c);
      i++;
    } else if (c === '"' || c === '`') {
      const str = goString(body, i);
      if (!str) return `bad string ${cut(body.slice(i), 40)}`;
      tokens.push({ kind: 'string', value: str.value });
      i = str.end;
    } else {
      const word = /^[^\s()"`]+/.exec(body.slice(i))?.[0] as string;
      tokens.push({ kind: 'word', value: word });
      i += word.length;
    }
  }
  return tokens;
}

/** A Go string literal at `start`: `"…"` with Go's escapes, or `` `…` `` taken as is. */
function goString(src: string, start: number): { value: string; end: number } | undefined {
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
