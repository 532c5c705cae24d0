/**
 * Whether a value fits a JSON Schema, for the part of JSON Schema that zod's
 * z.toJSONSchema writes for params: `type`, `enum`, `const`, `properties`,
 * `required`, `additionalProperties: false`, `items`, `anyOf`/`oneOf`. A
 * value is a literal, or only a type known (what a template will be
 * rendered to). Anything else (`$ref`, formats, bounds) is not checked: a
 * check here only ever refuses what would certainly fail at run time.
 */
import { appendPath } from '../api/field-path.ts';
import type { JsonSchema } from '../api/action-schemas.ts';

/** A value whose type is known but not its content: a template, with what it reads. */
export interface Typed {
  typed: readonly string[];
  /** What it is, e.g. `the var {{n}}`. */
  what: string;
}

export interface Misfit {
  path: string;
  expected: string;
  given: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON type of a literal: integer for a whole number. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** The types a schema allows; undefined: any. */
export function typesOf(schema: JsonSchema): string[] | undefined {
  const branches = (schema['anyOf'] ?? schema['oneOf']) as JsonSchema[] | undefined;
  if (Array.isArray(branches)) {
    const all = branches.map((b) => (isObject(b) ? typesOf(b) : undefined));
    return all.some((t) => t === undefined) ? undefined : [...new Set(all.flat() as string[])];
  }
  const t = schema['type'];
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  if (Array.isArray(schema['enum']))
    return [...new Set((schema['enum'] as unknown[]).map(jsonType))];
  if ('const' in schema) return [jsonType(schema['const'])];
  return undefined;
}

function typeFits(given: string, allowed: readonly string[]): boolean {
  if (allowed.includes(given)) return true;
  // An integer is a number; a number given where an integer is wanted may be whole.
  return (
    (given === 'integer' && allowed.includes('number')) ||
    (given === 'number' && allowed.includes('integer'))
  );
}

const describeTypes = (types: readonly string[]): string => types.join(' or ');

/**
 * The misfits of `value` (with templates already replaced by `Typed`
 * values through `typedAt`) against `schema`, each with its path.
 */
export function misfits(
  value: unknown,
  schema: JsonSchema,
  path: string,
  typedAt: (path: string, value: unknown) => Typed | undefined,
): Misfit[] {
  const typed = typedAt(path, value);
  if (typed) return typedMisfits(typed, schema, path);
  const branches = (schema['anyOf'] ?? schema['oneOf']) as JsonSchema[] | undefined;
  if (Array.isArray(branches)) {
    const each = branches.filter(isObject).map((b) => misfits(value, b, path, typedAt));
    if (each.some((m) => m.length === 0)) return [];
    return each.sort((a, b) => a.length - b.length)[0] ?? [];
  }
  const literal = literalMisfit(value, schema, path);
  if (literal) return [literal];
  if (isObject(value)) return objectMisfits(value, schema, path, typedAt);
  if (Array.isArray(value) && isObject(schema['items'])) {
    const items = schema['items'];
    return value.flatMap((v, i) => misfits(v, items, appendPath(path, i), typedAt));
  }
  return [];
}

/** A value of a known type (a template) against the types the schema allows. */
function typedMisfits(typed: Typed, schema: JsonSchema, path: string): Misfit[] {
  const allowed = typesOf(schema);
  if (typed.typed.length === 0 || allowed === undefined) return [];
  if (typed.typed.some((t) => typeFits(t, allowed))) return [];
  const given = `${typed.what} (${describeTypes(typed.typed)})`;
  return [{ path, expected: describeTypes(allowed), given }];
}

/** A literal of the wrong type, or not among the values allowed. */
function literalMisfit(value: unknown, schema: JsonSchema, path: string): Misfit | undefined {
  const allowed = typesOf(schema);
  const given = jsonType(value);
  if (allowed && !typeFits(given, allowed)) {
    return { path, expected: describeTypes(allowed), given: `${given} ${JSON.stringify(value)}` };
  }
  const values = schema['enum'];
  if (Array.isArray(values) && !values.some((e) => e === value)) {
    const one = values.map((e) => JSON.stringify(e)).join(', ');
    return { path, expected: `one of ${one}`, given: JSON.stringify(value) };
  }
  if ('const' in schema && schema['const'] !== value && typeof value !== 'object') {
    return { path, expected: JSON.stringify(schema['const']), given: JSON.stringify(value) };
  }
  return undefined;
}

function objectMisfits(
  value: Record<string, unknown>,
  schema: JsonSchema,
  path: string,
  typedAt: (path: string, value: unknown) => Typed | undefined,
): Misfit[] {
  const properties = isObject(schema['properties']) ? schema['properties'] : {};
  const found: Misfit[] = [];
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
  for (const key of required) {
    if (!Object.hasOwn(value, key)) {
      const want = isObject(properties[key]) ? typesOf(properties[key]) : undefined;
      found.push({
        path: appendPath(path, key),
        expected: `a required ${want ? describeTypes(want) : 'value'}`,
        given: 'nothing',
      });
    }
  }
  for (const [key, v] of Object.entries(value)) {
    const sub = properties[key];
    if (isObject(sub)) found.push(...misfits(v, sub, appendPath(path, key), typedAt));
    else if (schema['additionalProperties'] === false) {
      found.push({
        path: appendPath(path, key),
        expected: `no such field (known: ${Object.keys(properties).join(', ') || 'none'})`,
        given: JSON.stringify(v),
      });
    }
  }
  return found;
}

/** The part of a schema at a path of keys and list indexes; undefined when unknown. */
export function schemaAt(schema: JsonSchema, path: readonly string[]): JsonSchema | undefined {
  let current: JsonSchema | undefined = schema;
  for (const key of path) {
    if (current === undefined) return undefined;
    const branches = (current['anyOf'] ?? current['oneOf']) as JsonSchema[] | undefined;
    if (Array.isArray(branches)) {
      // Only when every branch but null agrees is the part known.
      const parts = branches
        .filter((b) => isObject(b) && b['type'] !== 'null')
        .map((b) => schemaAt(b, [key]));
      current = parts.length === 1 ? parts[0] : undefined;
      continue;
    }
    const props = current['properties'];
    if (isObject(props) && isObject(props[key])) current = props[key];
    else if (/^\d+$/.test(key) && isObject(current['items'])) current = current['items'];
    else return undefined;
  }
  return current;
}
