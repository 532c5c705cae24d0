/**
 * Reading a JSON Schema for the type it gives a place: what a template can
 * be checked by, since its content is not known before it runs but its type
 * is (a var is a string; a whole output reference has the type its action
 * declares at that path). Validating values is ajv's (json-schema-fit.ts).
 */
import type { JsonSchema } from '../api/action-schemas.ts';

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON type of a literal: integer for a whole number. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const branchesOf = (schema: JsonSchema): unknown[] | undefined => {
  const branches = schema['anyOf'] ?? schema['oneOf'];
  return Array.isArray(branches) ? branches : undefined;
};

/** The types a schema allows; undefined: any. */
export function typesOf(schema: JsonSchema): string[] | undefined {
  const branches = branchesOf(schema);
  if (branches) {
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

/** Whether a value of type `given` may be one of `allowed` (a number may be whole). */
export function typeFits(given: string, allowed: readonly string[]): boolean {
  if (allowed.includes(given)) return true;
  return (
    (given === 'integer' && allowed.includes('number')) ||
    (given === 'number' && allowed.includes('integer'))
  );
}

export const describeTypes = (types: readonly string[]): string => types.join(' or ');

/** The part of a schema at a path of keys and list indexes; undefined when unknown. */
export function schemaAt(schema: JsonSchema, path: readonly string[]): JsonSchema | undefined {
  let current: JsonSchema | undefined = schema;
  for (const key of path) {
    if (current === undefined) return undefined;
    const branches = branchesOf(current);
    if (branches) {
      // Only when every branch but null agrees is the part known.
      const parts = branches
        .filter((b) => isObject(b) && b['type'] !== 'null')
        .map((b) => schemaAt(b as JsonSchema, [key]));
      current = parts.length === 1 ? parts[0] : undefined;
      continue;
    }
    current = childSchema(current, key);
  }
  return current;
}

/** The schema of one key or list index of an object or list schema. */
function childSchema(schema: JsonSchema, key: string): JsonSchema | undefined {
  const props = schema['properties'];
  if (isObject(props) && Object.hasOwn(props, key)) return objectOrUndefined(props[key]);
  const prefix = schema['prefixItems'];
  if (/^\d+$/.test(key) && (Array.isArray(prefix) || 'items' in schema)) {
    if (Array.isArray(prefix) && Number(key) < prefix.length) {
      return objectOrUndefined(prefix[Number(key)]);
    }
    return objectOrUndefined(schema['items']);
  }
  // A record's values (zod's z.record): every key not listed has this schema.
  return objectOrUndefined(schema['additionalProperties']);
}

const objectOrUndefined = (v: unknown): JsonSchema | undefined => (isObject(v) ? v : undefined);
