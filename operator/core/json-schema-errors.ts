/**
 * ajv's errors as users read them: the certain ones only (a template's
 * content is not known, so neither is what depends on it), one per place an
 * anyOf/oneOf failed (its best branch, or the types it allows), each a field
 * path and what is wrong there.
 */
import type { ErrorObject } from 'ajv';
import { appendPath } from '../api/field-path.ts';
import { describeTypes, isObject, jsonType, typesOf } from './json-schema-types.ts';

/** Where a template is: its JSON pointer segments, as ajv's `instancePath` has them. */
export interface Template {
  segments: readonly string[];
}

interface Found {
  error: ErrorObject;
  segments: string[];
  /** It depends on a template's content: it may not happen. */
  unknown: boolean;
}

/** What an object or list fails on whatever its members hold (so a template inside cannot help). */
const SHAPE_ONLY = new Set([
  'type',
  'required',
  'additionalProperties',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'minItems',
  'maxItems',
  'dependentRequired',
  'dependencies',
]);

const isPrefix = (a: readonly string[], b: readonly string[]): boolean =>
  a.length <= b.length && a.every((s, i) => s === b[i]);

/** The errors that hold whatever the templates render to, anyOf/oneOf failures made one. */
export function certainErrors(
  errors: readonly ErrorObject[],
  templates: readonly Template[],
): ErrorObject[] {
  const unknownAt = (keyword: string, segments: string[]): boolean =>
    templates.some(
      (t) =>
        isPrefix(t.segments, segments) ||
        (isPrefix(segments, t.segments) && !SHAPE_ONLY.has(keyword)),
    );
  let found: Found[] = [];
  for (const error of errors) {
    const segments = pointerSegments(error.instancePath);
    const one = { error, segments, unknown: unknownAt(error.keyword, segments) };
    found =
      error.keyword === 'anyOf' || error.keyword === 'oneOf'
        ? branched(found, one)
        : [...found, one];
  }
  return found.filter((f) => !f.unknown).map((f) => f.error);
}

/**
 * A failed anyOf/oneOf in place of its branches' errors (which ajv reports
 * before it): unknown when a branch fails only on templates; the types it
 * allows when each branch wants another type; else the closest branch: of the
 * value's type, failing least.
 */
function branched(found: Found[], combinator: Found): Found[] {
  const prefix = `${combinator.error.schemaPath}/`;
  const rest = found.filter((f) => !f.error.schemaPath.startsWith(prefix));
  const branches = new Map<string, Found[]>();
  for (const f of found) {
    if (!f.error.schemaPath.startsWith(prefix)) continue;
    const branch = f.error.schemaPath.slice(prefix.length).split('/')[0] ?? '';
    branches.set(branch, [...(branches.get(branch) ?? []), f]);
  }
  // oneOf matched more than once, or branches ajv reports elsewhere ($ref): the combinator alone.
  if (combinator.error.params['passingSchemas'] != null || branches.size === 0) {
    return [...rest, combinator];
  }
  const groups = [...branches.values()];
  if (groups.some((g) => g.every((f) => f.unknown)))
    return [...rest, { ...combinator, unknown: true }];
  const sure = groups.map((g) => g.filter((f) => !f.unknown));
  const at = combinator.error.instancePath;
  if (
    sure.every(
      (g) => g.length === 1 && g[0]?.error.keyword === 'type' && g[0].error.instancePath === at,
    )
  ) {
    const types = [
      ...new Set(sure.flatMap((g) => [g[0]?.error.params['type'] as string | string[]].flat())),
    ];
    const error = { ...combinator.error, keyword: 'type', params: { type: types } };
    return [...rest, { ...combinator, error }];
  }
  // A branch of another type is further off than one that fails on content.
  const distance = (g: Found[]): number =>
    g.length + (g.some((f) => f.error.keyword === 'type' && f.error.instancePath === at) ? 1e6 : 0);
  return [...rest, ...sure.reduce((a, b) => (distance(b) < distance(a) ? b : a))];
}

/** `/a/0/b~1c` → `['a', '0', 'b/c']`. */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** A value in a message: JSON, cut short. */
function show(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** What is wrong, by ajv keyword; `key`: the member it is about (missing, or not allowed). */
type Describe = (
  params: Record<string, unknown>,
  data: unknown,
  schema: Record<string, unknown>,
) => { key?: string; problem: string };

const knownFields = (schema: Record<string, unknown>): string =>
  (isObject(schema['properties']) ? Object.keys(schema['properties']).join(', ') : '') || 'none';

const PROBLEMS: Record<string, Describe> = {
  type: (p, data) => ({
    problem: `expected ${describeTypes([p['type'] as string].flat())}, given ${jsonType(data)} ${show(data)}`,
  }),
  enum: (p, data) => ({
    problem: `expected one of ${(p['allowedValues'] as unknown[]).map(show).join(', ')}, given ${show(data)}`,
  }),
  const: (p, data) => ({ problem: `expected ${show(p['allowedValue'])}, given ${show(data)}` }),
  required: (p, _data, schema) => {
    const key = String(p['missingProperty']);
    const props = isObject(schema['properties']) ? schema['properties'] : {};
    const want = isObject(props[key]) ? typesOf(props[key]) : undefined;
    return {
      key,
      problem: `expected a required ${want ? describeTypes(want) : 'value'}, given nothing`,
    };
  },
  additionalProperties: (p, data, schema) => {
    const key = String(p['additionalProperty']);
    const extra = isObject(data) ? data[key] : undefined;
    return {
      key,
      problem: `expected no such field (known: ${knownFields(schema)}), given ${show(extra)}`,
    };
  },
  pattern: (p, data, schema) => {
    const format = schema['format'];
    const want =
      typeof format === 'string'
        ? `a string of format ${format}`
        : `a string matching /${String(p['pattern'])}/`;
    return { problem: `expected ${want}, given ${show(data)}` };
  },
};

/** One certain error of `root` (at field path `base`) as a field path and what is wrong there. */
export function misfitOf(
  error: ErrorObject,
  root: unknown,
  base: string,
): { path: string; problem: string } {
  let path = base;
  let value = root;
  for (const s of pointerSegments(error.instancePath)) {
    path = appendPath(path, Array.isArray(value) ? Number(s) : s);
    value = Array.isArray(value) ? value[Number(s)] : isObject(value) ? value[s] : undefined;
  }
  const describe = Object.hasOwn(PROBLEMS, error.keyword) ? PROBLEMS[error.keyword] : undefined;
  if (describe === undefined) {
    return {
      path,
      problem: `${error.message ?? `fails ${error.keyword}`}, given ${show(error.data)}`,
    };
  }
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
  const { key, problem } = describe(error.params as Record<string, unknown>, error.data, schema);
  return { path: key === undefined ? path : appendPath(path, key), problem };
}
