import { z } from 'zod';

/**
 * What a structural schema (apiextensions.k8s.io/v1 JSONSchemaProps) may
 * hold, the error json-schema.ts throws, and small guards for reading zod's
 * JSON Schema output.
 */

export const ValidationRule = z.strictObject({
  rule: z.string().min(1),
  message: z.string().optional(),
  messageExpression: z.string().optional(),
  reason: z
    .enum(['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'])
    .optional(),
  fieldPath: z.string().optional(),
  optionalOldSelf: z.boolean().optional(),
});
export type ValidationRule = z.infer<typeof ValidationRule>;

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

/** The subset of apiextensions.k8s.io/v1 JSONSchemaProps a structural schema uses. */
export interface StructuralSchema {
  description?: string;
  title?: string;
  type?: SchemaType;
  format?: string;
  nullable?: boolean;
  enum?: unknown[];
  default?: unknown;
  example?: unknown;
  minimum?: number;
  exclusiveMinimum?: boolean;
  maximum?: number;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  items?: StructuralSchema;
  minProperties?: number;
  maxProperties?: number;
  properties?: Record<string, StructuralSchema>;
  required?: string[];
  additionalProperties?: StructuralSchema;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
}

export type Json = Record<string, unknown>;

/** Keys zod may emit that carry nothing Kubernetes uses. */
export const DROPPED_KEYS = new Set([
  '$schema',
  'id',
  '$id',
  'contentEncoding',
  'contentMediaType',
]);
/** Keys that cannot be made structural here: fix the zod schema instead. */
export const REFUSED_KEYS = new Set([
  '$ref',
  'definitions',
  '$defs',
  'allOf',
  'not',
  'patternProperties',
  'prefixItems',
  'uniqueItems',
  'dependencies',
  'additionalItems',
]);
export const KNOWN_KEYS = new Set<string>([
  'description',
  'title',
  'type',
  'format',
  'nullable',
  'enum',
  'default',
  'example',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'items',
  'minProperties',
  'maxProperties',
  'properties',
  'required',
  'additionalProperties',
  'anyOf',
  'oneOf',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
]);

export class SchemaConversionError extends Error {
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path || '<root>'}: ${problem}`);
    this.name = 'SchemaConversionError';
    this.path = path;
  }
}

/** Kubernetes compiles patterns with Go's RE2: no lookarounds, no backreferences. */
export function assertRe2(pattern: string, path: string): void {
  if (/\(\?<?[=!]/.test(pattern)) {
    throw new SchemaConversionError(path, `pattern ${pattern} uses a lookaround (not RE2)`);
  }
  if (/\\[1-9]|\\k</.test(pattern)) {
    throw new SchemaConversionError(path, `pattern ${pattern} uses a backreference (not RE2)`);
  }
}

export function isObj(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function obj(value: unknown, path: string): Json {
  if (!isObj(value)) throw new SchemaConversionError(path, 'expected a schema object');
  return value;
}

export function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new SchemaConversionError(path, 'expected a list');
  return value;
}

export function str(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new SchemaConversionError(path, 'expected a string');
  return value;
}

export function num(value: unknown, path: string): number {
  if (typeof value !== 'number') throw new SchemaConversionError(path, 'expected a number');
  return value;
}

export function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new SchemaConversionError(path, 'expected a boolean');
  return value;
}
