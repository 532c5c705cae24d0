/**
 * Rendering task params: every template replaced by the values it refers to
 * (see templates.ts for the forms and how values are inserted).
 */
import type { TaskStatus } from '../api/dag-instance.ts';
import { outputOf, type StoredOutputs } from './attempt-values.ts';
import { parseTemplate } from './template-parse.ts';
import { isRecord, mapStrings } from './template-scan.ts';
import { INDEX, PATH_KEY, type ParsedTemplate, type Reference } from './template-syntax.ts';

export interface TemplateSources {
  /** The instance's resolved vars. */
  vars: Readonly<Record<string, string>>;
  shareData: Readonly<Record<string, string>>;
  /** Output of each finished task, by task id; a task absent has no output. */
  outputs: Readonly<Record<string, unknown>>;
  /** A fan-out copy's item and index: `{{item}}`, `{{item.<path>}}`, `{{itemIndex}}`. */
  item?: { item: unknown; itemIndex: number };
}

/** The output of each task that has one, by task id: what templates read as `tasks.<id>.output`. */
export function outputsOf(
  tasks: Readonly<Record<string, Pick<TaskStatus, 'output' | 'outputRef'>>>,
  stored?: StoredOutputs,
): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  for (const [id, entry] of Object.entries(tasks)) {
    const output = outputOf(entry, stored);
    if (output !== undefined) outputs[id] = output;
  }
  return outputs;
}

export type RenderResult = { ok: true; value: unknown } | { ok: false; message: string };

/** Longest message renderParams returns (a task's status message holds 4 KiB). */
const MAX_RENDER_MESSAGE = 2048;

/**
 * Renders every string of `params` (maps and lists walked recursively; keys
 * kept as written). The result is a new value: the input is never modified
 * nor shared with it. Every failure is reported, each naming the field path
 * and the template, e.g. `params.target: {{.shareData.ip}}: share data has no key "ip"`.
 */
export function renderParams(
  params: unknown,
  sources: TemplateSources,
  root = 'params',
): RenderResult {
  const errors: string[] = [];
  const value = mapStrings(params, root, (s, path) => {
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
      if (sources.item && isItemName(ref.name)) return resolveItem(ref, sources.item);
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

/** The names a fan-out copy reads its item by; in such a task they shadow vars of those names. */
export function isItemName(name: string): boolean {
  return name === 'item' || name === 'itemIndex' || name.startsWith('item.');
}

function resolveItem(
  ref: Extract<Reference, { kind: 'var' }>,
  sources: { item: unknown; itemIndex: number },
): RenderResult {
  if (ref.name === 'itemIndex') return { ok: true, value: sources.itemIndex };
  const path = ref.name.split('.').slice(1);
  let current = sources.item;
  for (let i = 0; i < path.length; i++) {
    const next = child(current, path[i] as string);
    if (next === undefined) {
      const where = i === 0 ? 'the item' : `item.${path.slice(0, i).join('.')}`;
      return fail(
        ref,
        `item ${sources.itemIndex} has no ${path.slice(0, i + 1).join('.')} (${where} ${describe(current)})`,
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

function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneJson(v)]));
  }
  return value;
}

function displayPath(path: readonly string[]): string {
  return path
    .map((k, i) =>
      PATH_KEY.exec(k)?.[0] === k ? `${i === 0 ? '' : '.'}${k}` : `[${JSON.stringify(k)}]`,
    )
    .join('');
}
