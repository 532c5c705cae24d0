import { z } from 'zod';
import {
  assertRe2,
  bool,
  DROPPED_KEYS,
  isObj,
  KNOWN_KEYS,
  list,
  num,
  obj,
  REFUSED_KEYS,
  SchemaConversionError,
  str,
  ValidationRule,
} from './structural-schema.ts';
import type { Json, SchemaType, StructuralSchema } from './structural-schema.ts';

/**
 * zod schema → structural OpenAPI v3 schema for a CustomResourceDefinition.
 *
 * `z.toJSONSchema` (openapi-3.0 target, input side, inlined) does most of the
 * work; `toStructural` then applies what apiextensions.k8s.io needs (Kubernetes
 * docs, "Specifying a structural schema"): free-form nodes become
 * `x-kubernetes-preserve-unknown-fields`, int-or-string unions become
 * `x-kubernetes-int-or-string`, `additionalProperties` never sits next to
 * `properties`, zod's ±2^53 integer bounds go, `pattern` goes where
 * Kubernetes checks a `format`, and every remaining pattern must be RE2.
 * Anything it cannot express structurally (other unions, `$ref`, `allOf`,
 * tuples, catch-alls next to properties) throws with the field path, so the
 * schema is fixed at the source instead of emitting a CRD the API server
 * refuses or marks NonStructuralSchema.
 */

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

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';

/** The zod schema as a structural schema (what goes under `openAPIV3Schema`). */
export function toStructuralSchema(schema: z.ZodType, path = ''): StructuralSchema {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    cycles: 'throw',
    reused: 'inline',
  });
  return toStructural(json, path);
}

/** Post-pass over zod's JSON Schema output; exported for tests. */
export function toStructural(node: Json, path = ''): StructuralSchema {
  checkKeys(node, path);
  if (node[PRESERVE] === true) return preserveUnknown(node, path);
  if (node.anyOf !== undefined || node.oneOf !== undefined) return union(node, path);
  if (Array.isArray(node.type)) {
    // Not produced with the openapi-3.0 target; `nullable` is the 3.0 spelling.
    const rest = node.type.filter((t) => t !== 'null');
    if (rest.length !== 1) {
      throw new SchemaConversionError(path, `type ${JSON.stringify(node.type)}`);
    }
    const nullable = rest.length < node.type.length ? true : node.nullable;
    return toStructural(defined({ ...node, type: rest[0], nullable }), path);
  }
  const type = schemaType(node, path);
  if (type === undefined) return emptySchema(node, path);
  const out: StructuralSchema = { ...heading(node, path), type, ...values(node, path) };
  switch (type) {
    case 'object':
      Object.assign(out, objectKeywords(node, path));
      break;
    case 'array':
      Object.assign(out, arrayKeywords(node, path));
      break;
    case 'string':
      Object.assign(out, stringKeywords(node, path));
      break;
    case 'integer':
    case 'number':
      Object.assign(out, numberKeywords(node, path));
      break;
    case 'boolean':
      break;
  }
  return withExtensions(out, node, path);
}

function checkKeys(node: Json, path: string): void {
  for (const key of Object.keys(node)) {
    if (DROPPED_KEYS.has(key) || KNOWN_KEYS.has(key)) continue;
    if (REFUSED_KEYS.has(key)) {
      throw new SchemaConversionError(path, `"${key}" cannot be part of a structural schema`);
    }
    throw new SchemaConversionError(path, `unsupported JSON Schema keyword "${key}"`);
  }
}

/** `description` and `title` lead every node; then `type` (set by the caller). */
function heading(node: Json, path: string): StructuralSchema {
  const out: StructuralSchema = {};
  if (node.description !== undefined) out.description = str(node.description, path);
  if (node.title !== undefined) out.title = str(node.title, path);
  return out;
}

/** `nullable`, `enum`, `default`, `example`: valid on any node. */
function values(node: Json, path: string): StructuralSchema {
  const out: StructuralSchema = {};
  if (node.nullable !== undefined) out.nullable = bool(node.nullable, path);
  if (node.enum !== undefined) out.enum = list(node.enum, path);
  if (node.default !== undefined) out.default = node.default;
  if (node.example !== undefined) out.example = node.example;
  return out;
}

function schemaType(node: Json, path: string): SchemaType | undefined {
  const type = node.type;
  if (type === undefined) return undefined;
  if (
    type === 'object' ||
    type === 'array' ||
    type === 'string' ||
    type === 'integer' ||
    type === 'number' ||
    type === 'boolean'
  ) {
    return type;
  }
  throw new SchemaConversionError(path, `unsupported type ${JSON.stringify(type)}`);
}

/** `z.unknown()`/`z.any()` (`{}`): anything goes, so keep it, untyped. */
function emptySchema(node: Json, path: string): StructuralSchema {
  const out: StructuralSchema = { ...heading(node, path), ...values(node, path) };
  out[PRESERVE] = true;
  return withExtensions(out, node, path);
}

/**
 * A node marked free-form. It keeps `type: object` (records, objects) and any
 * declared properties; everything that would describe the rest (unions,
 * `additionalProperties`) goes, because the API server keeps it as sent.
 */
function preserveUnknown(node: Json, path: string): StructuralSchema {
  const out: StructuralSchema = heading(node, path);
  if (node.type === 'object') {
    out.type = 'object';
    const keywords = objectKeywords({ ...node, additionalProperties: undefined }, path);
    if (keywords.properties && Object.keys(keywords.properties).length > 0) {
      Object.assign(out, keywords);
    } else {
      if (keywords.minProperties !== undefined) out.minProperties = keywords.minProperties;
      if (keywords.maxProperties !== undefined) out.maxProperties = keywords.maxProperties;
    }
  }
  Object.assign(out, values(node, path));
  out[PRESERVE] = true;
  return withExtensions(out, node, path);
}

function union(node: Json, path: string): StructuralSchema {
  const branches = list(node.anyOf ?? node.oneOf, path).map((b, i) => obj(b, `${path}[${i}]`));
  const outer: Json = { ...node, anyOf: undefined, oneOf: undefined };
  if (branches.length === 1 && branches[0]) {
    return toStructural({ ...branches[0], ...defined(outer) }, path);
  }
  const types = new Set(branches.map((b) => b.type));
  if (types.size === 2 && types.has('integer') && types.has('string')) {
    const out: StructuralSchema = { ...heading(outer, path), ...values(outer, path) };
    out['x-kubernetes-int-or-string'] = true;
    return withExtensions(out, outer, path);
  }
  // z.union of literals/enums of one type: one enum.
  const [first] = branches;
  const enumOnly = branches.every(
    (b) => Array.isArray(b.enum) && Object.keys(b).every((k) => k === 'type' || k === 'enum'),
  );
  if (first && types.size === 1 && enumOnly) {
    const values = branches.flatMap((b) => list(b.enum, path));
    return toStructural({ ...defined(outer), type: first.type, enum: [...new Set(values)] }, path);
  }
  throw new SchemaConversionError(
    path,
    'a union of typed branches is not structural: flatten it into one object (per-branch ' +
      `requirements as CEL) or mark it ${PRESERVE}`,
  );
}

function objectKeywords(node: Json, path: string): StructuralSchema {
  const out: StructuralSchema = {};
  if (node.minProperties !== undefined) out.minProperties = num(node.minProperties, path);
  if (node.maxProperties !== undefined) out.maxProperties = num(node.maxProperties, path);
  const props = node.properties === undefined ? undefined : obj(node.properties, path);
  const hasProps = props !== undefined && Object.keys(props).length > 0;
  if (props !== undefined && hasProps) Object.assign(out, propertyKeywords(node, props, path));
  return { ...out, ...catchAllKeywords(node.additionalProperties, hasProps, path) };
}

function propertyKeywords(node: Json, props: Json, path: string): StructuralSchema {
  const out: StructuralSchema = { properties: {} };
  for (const [name, child] of Object.entries(props)) {
    out.properties![name] = toStructural(obj(child, `${path}.${name}`), `${path}.${name}`);
  }
  const required = node.required === undefined ? [] : list(node.required, path).map(String);
  if (required.length > 0) out.required = required;
  return out;
}

/** What an object's `additionalProperties` becomes: nothing, preserve-unknown-fields, or a typed map. */
function catchAllKeywords(extra: unknown, hasProps: boolean, path: string): StructuralSchema {
  if (extra === undefined || extra === false) return {}; // strict objects: unknown fields are pruned
  if (extra === true || (isObj(extra) && Object.keys(extra).length === 0)) {
    // z.looseObject: known fields only, the rest is pruned; a bare object keeps anything.
    return hasProps ? {} : { [PRESERVE]: true };
  }
  if (hasProps) {
    throw new SchemaConversionError(path, 'additionalProperties (a catch-all) next to properties');
  }
  return { additionalProperties: toStructural(obj(extra, `${path}.*`), `${path}.*`) };
}

function arrayKeywords(node: Json, path: string): StructuralSchema {
  const out: StructuralSchema = {};
  if (node.minItems !== undefined) out.minItems = num(node.minItems, path);
  if (node.maxItems !== undefined) out.maxItems = num(node.maxItems, path);
  if (!isObj(node.items)) throw new SchemaConversionError(path, 'an array needs one items schema');
  out.items = toStructural(node.items, `${path}[*]`);
  return out;
}

function stringKeywords(node: Json, path: string): StructuralSchema {
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

function numberKeywords(node: Json, path: string): StructuralSchema {
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

/** The `x-kubernetes-*` keys set through `.meta()`, checked and copied last. */
function withExtensions(out: StructuralSchema, node: Json, path: string): StructuralSchema {
  if (node['x-kubernetes-int-or-string'] === true) out['x-kubernetes-int-or-string'] = true;
  if (node['x-kubernetes-embedded-resource'] !== undefined) {
    out['x-kubernetes-embedded-resource'] = bool(node['x-kubernetes-embedded-resource'], path);
  }
  const listType = node['x-kubernetes-list-type'];
  if (listType !== undefined) {
    out['x-kubernetes-list-type'] = z.enum(['atomic', 'set', 'map']).parse(listType);
  }
  const keys = node['x-kubernetes-list-map-keys'];
  if (keys !== undefined) out['x-kubernetes-list-map-keys'] = z.array(z.string()).parse(keys);
  const mapType = node['x-kubernetes-map-type'];
  if (mapType !== undefined) {
    out['x-kubernetes-map-type'] = z.enum(['atomic', 'granular']).parse(mapType);
  }
  const rules = node['x-kubernetes-validations'];
  if (rules !== undefined) {
    const parsed = z.array(ValidationRule).safeParse(rules);
    if (!parsed.success) {
      throw new SchemaConversionError(path, `x-kubernetes-validations: ${parsed.error.message}`);
    }
    out['x-kubernetes-validations'] = parsed.data;
  }
  if (out['x-kubernetes-list-type'] === 'map') checkListMapKeys(out, path);
  return out;
}

/** List-map keys must be required scalars, or the API server refuses the CRD. */
function checkListMapKeys(out: StructuralSchema, path: string): void {
  const keys = out['x-kubernetes-list-map-keys'] ?? [];
  if (keys.length === 0) throw new SchemaConversionError(path, 'list-type map without map keys');
  const items = out.items;
  for (const key of keys) {
    const field = items?.properties?.[key];
    if (field === undefined || !(items?.required ?? []).includes(key)) {
      throw new SchemaConversionError(path, `list-map key "${key}" must be a required field`);
    }
    if (field.type === 'object' || field.type === 'array' || field.type === undefined) {
      throw new SchemaConversionError(path, `list-map key "${key}" must be a scalar`);
    }
  }
}

function defined(node: Json): Json {
  return Object.fromEntries(Object.entries(node).filter(([, v]) => v !== undefined));
}
