import { z } from 'zod';
import {
  bool,
  DROPPED_KEYS,
  KNOWN_KEYS,
  list,
  obj,
  REFUSED_KEYS,
  SchemaConversionError,
  str,
} from './structural-schema.ts';
import type { Json, SchemaType, StructuralSchema } from './structural-schema.ts';
import { PRESERVE, withExtensions } from './kubernetes-extensions.ts';
import { arrayKeywords, numberKeywords, objectKeywords, stringKeywords } from './type-keywords.ts';

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
 *
 * This module decides what kind of node it is (typed, free-form, union); the
 * keywords of each type are in type-keywords.ts, the `x-kubernetes-*` keys in
 * kubernetes-extensions.ts.
 */

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
      Object.assign(out, objectKeywords(node, path, toStructural));
      break;
    case 'array':
      Object.assign(out, arrayKeywords(node, path, toStructural));
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
    const keywords = objectKeywords(
      { ...node, additionalProperties: undefined },
      path,
      toStructural,
    );
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

function defined(node: Json): Json {
  return Object.fromEntries(Object.entries(node).filter(([, v]) => v !== undefined));
}
