import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toStructural, toStructuralSchema } from './json-schema.ts';
import { SchemaConversionError } from './structural-schema.ts';
import type { StructuralSchema } from './structural-schema.ts';

describe('toStructural', () => {
  const convert = (s: z.ZodType): StructuralSchema => toStructuralSchema(s);

  it.each([
    ['z.unknown()', z.unknown(), { 'x-kubernetes-preserve-unknown-fields': true }],
    [
      'a free-form record',
      z.record(z.string(), z.unknown()),
      { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    ],
    ['int-or-string', z.union([z.int(), z.string()]), { 'x-kubernetes-int-or-string': true }],
    [
      'a union of literals',
      z.union([z.literal('a'), z.enum(['b', 'c'])]),
      { type: 'string', enum: ['a', 'b', 'c'] },
    ],
    ['z.int()', z.int(), { type: 'integer' }],
    ['a strict empty object', z.strictObject({}), { type: 'object' }],
    [
      'a loose object',
      z.looseObject({ a: z.string() }),
      { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
    ],
    ['z.email()', z.email(), { type: 'string', format: 'email' }],
    ['nullable', z.string().nullable(), { type: 'string', nullable: true }],
    ['a default', z.string().default('x'), { type: 'string', default: 'x' }],
  ] as const)('%s', (_name, schema, expected) => {
    expect(convert(schema)).toEqual(expected);
  });

  it('keeps declared properties of a preserve-unknown-fields object', () => {
    const s = z
      .looseObject({ a: z.string() })
      .meta({ 'x-kubernetes-preserve-unknown-fields': true });
    expect(convert(s)).toEqual({
      type: 'object',
      properties: { a: { type: 'string' } },
      required: ['a'],
      'x-kubernetes-preserve-unknown-fields': true,
    });
  });

  it.each([
    [
      'a discriminated union',
      z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('a'), x: z.string() }),
        z.object({ kind: z.literal('b'), y: z.string() }),
      ]),
      /union of typed branches/,
    ],
    ['a non-RE2 pattern', z.string().regex(/^(?!x)/), /lookaround/],
    ['an ISO duration (no Kubernetes format, regex not RE2)', z.iso.duration(), /lookaround/],
    ['a catch-all next to properties', z.object({ a: z.string() }).catchall(z.int()), /catch-all/],
    [
      'a list map whose key is optional',
      z
        .array(z.object({ k: z.string().optional() }))
        .max(2)
        .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'] }),
      /must be a required field/,
    ],
    [
      'a malformed validation rule',
      z.string().meta({ 'x-kubernetes-validations': [{ message: 'no rule' }] }),
      /x-kubernetes-validations/,
    ],
  ] as const)('refuses %s', (_name, schema, message) => {
    expect(() => convert(schema)).toThrow(SchemaConversionError);
    expect(() => convert(schema)).toThrow(message);
  });

  it('names the path of the problem', () => {
    expect(() =>
      toStructural({ type: 'object', properties: { a: { $ref: '#/x' } } }, 'spec'),
    ).toThrow('spec.a: "$ref" cannot be part of a structural schema');
  });

  it('refuses allOf (an intersection zod could not merge)', () => {
    expect(() => toStructural({ allOf: [{ type: 'string' }, { minLength: 1 }] })).toThrow(
      '<root>: "allOf" cannot be part of a structural schema',
    );
  });

  it('converts a type array to nullable', () => {
    expect(toStructural({ type: ['string', 'null'] })).toEqual({ type: 'string', nullable: true });
  });
});
