import {
  assertRe2,
  bool,
  isObj,
  list,
  num,
  obj,
  SchemaConversionError,
  str,
} from './structural-schema.ts';
import type { Json, StructuralSchema } from './structural-schema.ts';
import { PRESERVE } from './kubernetes-extensions.ts';

/**
 * The keywords of one JSON Schema type (object, array, string, number) as a
 * structural schema holds them. Nested schemas go back through `convert` (the
 * whole-node conversion of json-schema.ts), passed in so the two modules do
 * not import each other.
 */

export type Convert = (node: Json, path: string) => StructuralSchema;

/** zod's own `format` names → the Kubernetes format that checks the same thing. */
const K8S_FORMATS: Readonly<Record<string, string>> = {
  'date-time': 'date-time',
  date: 'date',
  email: 'email',
  uri: 'uri',
  uuid: 'uuid',
  ipv4: 'ipv4',
  ipv6: 'ipv6',
  hostname: 'hostname',
  base64: 'byte',
  cidrv4: 'cidr',
  cidrv6: 'cidr',
};

/** |bound| zod adds to every `z.int()`; not a real limit. */
const SAFE_INT_BOUND = Number.MAX_SAFE_INTEGER;

export function objectKeywords(node: Json, path: string, convert: Convert): StructuralSchema {
  const out: StructuralSchema = {};
  if (node.minProperties !== undefined) out.minProperties = num(node.minProperties, path);
  if (node.maxProperties !== undefined) out.maxProperties = num(node.maxProperties, path);
  const props = node.properties === undefined ? undefined : obj(node.properties, path);
  const hasProps = props !== undefined && Object.keys(props).length > 0;
  if (props !== undefined && hasProps) {
    Object.assign(out, propertyKeywords(node, props, path, convert));
  }
  return { ...out, ...catchAllKeywords(node.additionalProperties, hasProps, path, convert) };
}

function propertyKeywords(
  node: Json,
  props: Json,
  path: string,
  convert: Convert,
): StructuralSchema {
  const out: StructuralSchema = { properties: {} };
  for (const [name, child] of Object.entries(props)) {
    out.properties![name] = convert(obj(child, `${path}.${name}`), `${path}.${name}`);
  }
  const required = node.required === undefined ? [] : list(node.required, path).map(String);
  if (required.length > 0) out.required = required;
  return out;
}

/** What an object's `additionalProperties` becomes: nothing, preserve-unknown-fields, or a typed map. */
function catchAllKeywords(
  extra: unknown,
  hasProps: boolean,
  path: string,
  convert: Convert,
): StructuralSchema {
  if (extra === undefined || extra === false) return {}; // strict objects: unknown fields are pruned
  if (extra === true || (isObj(extra) && Object.keys(extra).length === 0)) {
    // z.looseObject: known fields only, the rest is pruned; a bare object keeps anything.
    return hasProps ? {} : { [PRESERVE]: true };
  }
  if (hasProps) {
    throw new SchemaConversionError(path, 'additionalProperties (a catch-all) next to properties');
  }
  return { additionalProperties: convert(obj(extra, `${path}.*`), `${path}.*`) };
}

export function arrayKeywords(node: Json, path: string, convert: Convert): StructuralSchema {
  const out: StructuralSchema = {};
  if (node.minItems !== undefined) out.minItems = num(node.minItems, path);
  if (node.maxItems !== undefined) out.maxItems = num(node.maxItems, path);
  if (!isObj(node.items)) throw new SchemaConversionError(path, 'an array needs one items schema');
  out.items = convert(node.items, `${path}[*]`);
  return out;
}

export function stringKeywords(node: Json, path: string): StructuralSchema {
  const out: StructuralSchema = {};
  // A format Kubernetes does not know (or checks differently, e.g. ISO durations) is
  // dropped and zod's pattern kept: the pattern must then be RE2.
  const format = node.format === undefined ? undefined : K8S_FORMATS[str(node.format, path)];
  if (format !== undefined) out.format = format;
  if (node.minLength !== undefined) out.minLength = num(node.minLength, path);
  if (node.maxLength !== undefined) out.maxLength = num(node.maxLength, path);
  // Kubernetes checks a known format itself; zod's regex for it is redundant (and often not RE2).
  if (node.pattern !== undefined && format === undefined) {
    out.pattern = str(node.pattern, path);
    assertRe2(out.pattern, path);
  }
  return out;
}

export function numberKeywords(node: Json, path: string): StructuralSchema {
  const out: StructuralSchema = {};
  if (node.format === 'int32' || node.format === 'int64' || node.format === 'double') {
    out.format = node.format;
  }
  for (const key of ['minimum', 'maximum'] as const) {
    const value = node[key];
    if (value === undefined) continue;
    const n = num(value, path);
    if (Math.abs(n) !== SAFE_INT_BOUND) out[key] = n;
  }
  if (node.exclusiveMinimum !== undefined) {
    out.exclusiveMinimum = bool(node.exclusiveMinimum, path);
  }
  if (node.exclusiveMaximum !== undefined) {
    out.exclusiveMaximum = bool(node.exclusiveMaximum, path);
  }
  if (node.multipleOf !== undefined) out.multipleOf = num(node.multipleOf, path);
  return out;
}
