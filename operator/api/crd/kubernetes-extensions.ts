import { z } from 'zod';
import { bool, SchemaConversionError, ValidationRule } from './structural-schema.ts';
import type { Json, StructuralSchema } from './structural-schema.ts';

/**
 * The `x-kubernetes-*` extensions of a structural schema: what a zod schema
 * sets through `.meta()`, checked the way the API server would check them.
 */

/** Marks a node whose unknown fields the API server keeps as sent. */
export const PRESERVE = 'x-kubernetes-preserve-unknown-fields';

/** The `x-kubernetes-*` keys set through `.meta()`, checked and copied last. */
export function withExtensions(out: StructuralSchema, node: Json, path: string): StructuralSchema {
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
