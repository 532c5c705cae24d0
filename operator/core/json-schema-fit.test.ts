import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { misfits, type Typed } from './json-schema-fit.ts';

// Schemas as a worker advertises them: zod's JSON Schema of the action's params.
const json = (s: z.ZodType) =>
  z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', cycles: 'ref' }) as Record<
    string,
    unknown
  >;
/** `{{…}}` strings are templates: a var (a string), or `{{int}}`, an output declared an integer. */
const typedAt = (_path: string, v: unknown): Typed | undefined =>
  typeof v !== 'string' || !v.includes('{{')
    ? undefined
    : v === '{{int}}'
      ? { typed: ['integer'], what: 'the output {{int}}' }
      : { typed: ['string'], what: `the var ${v}` };
const check = (schema: z.ZodType | Record<string, unknown>, value: unknown) =>
  misfits(value, schema instanceof z.ZodType ? json(schema) : schema, 'params', typedAt).map(
    (m) => `${m.path}: ${m.problem}`,
  );

describe('misfits of literal params', () => {
  it('reports wrong types, missing fields, values outside an enum, with their paths', () => {
    const s = z.object({ n: z.number().int(), name: z.string(), mode: z.enum(['a', 'b']) });
    expect(check(s, { n: 'three', mode: 'c' })).toEqual([
      'params.name: expected a required string, given nothing',
      'params.n: expected integer, given string "three"',
      'params.mode: expected one of "a", "b", given "c"',
    ]);
  });

  it('checks bounds, lengths and patterns, saying the format a pattern stands for', () => {
    const s = z.object({
      replicas: z.number().int().min(1),
      tag: z.string().max(3),
      mail: z.email(),
      code: z.string().regex(/^[A-Z]+$/),
    });
    expect(check(s, { replicas: 0, tag: 'abcd', mail: 'nope', code: 'x1' })).toEqual([
      'params.replicas: must be >= 1, given 0',
      'params.tag: must NOT have more than 3 characters, given "abcd"',
      'params.mail: expected a string of format email, given "nope"',
      'params.code: expected a string matching /^[A-Z]+$/, given "x1"',
    ]);
  });

  it('names the fields a strict object knows when given another', () => {
    expect(check(z.strictObject({ a: z.string() }), { a: 'x', b: 1 })).toEqual([
      'params.b: expected no such field (known: a), given 1',
    ]);
  });

  it('says once what a union allows, or what its closest branch lacks', () => {
    expect(check(z.object({ v: z.union([z.string(), z.number()]) }), { v: true })).toEqual([
      'params.v: expected string or number, given boolean true',
    ]);
    expect(check(z.object({ n: z.number().nullable() }), { n: 'x' })).toEqual([
      'params.n: expected number or null, given string "x"',
    ]);
    const shapes = z.union([
      z.object({ kind: z.literal('disk'), size: z.number() }),
      z.object({ kind: z.literal('net'), port: z.number(), host: z.string() }),
    ]);
    expect(check(z.object({ s: shapes }), { s: { kind: 'disk', size: 'big' } })).toEqual([
      'params.s.size: expected number, given string "big"',
    ]);
  });

  it('reads list items, tuples and records, and recursive schemas through $ref', () => {
    type Tree = { name: string; children: Tree[] };
    const tree: z.ZodType<Tree> = z.lazy(() =>
      z.object({ name: z.string(), children: z.array(tree) }),
    );
    const s = z.object({
      hosts: z.array(z.string()),
      pair: z.tuple([z.string(), z.number()]),
      labels: z.record(z.string(), z.string()),
      tree,
    });
    const value = {
      hosts: ['a', 2],
      pair: ['a', 'b'],
      labels: { x: 1 },
      tree: { name: 'r', children: [{ name: 3, children: [] }] },
    };
    expect(check(s, value)).toEqual([
      'params.hosts[1]: expected string, given integer 2',
      'params.pair[1]: expected number, given string "b"',
      'params.labels.x: expected string, given integer 1',
      'params.tree.children[0].name: expected string, given integer 3',
    ]);
  });

  it('uses the draft the schema declares, and checks nothing it cannot compile', () => {
    const draft07 = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] } },
    };
    expect(check(draft07, { pair: ['a', 'b'] })).toEqual([
      'params.pair[1]: expected number, given string "b"',
    ]);
    const draft04 = { ...draft07, $schema: 'http://json-schema.org/draft-04/schema#' };
    expect(check(draft04, { pair: ['a', 'b'] })).toEqual([]);
    expect(check({ type: 'object', properties: { a: { type: 'nonsense' } } }, { a: 1 })).toEqual(
      [],
    );
  });
});

describe('misfits of templates', () => {
  it('checks a template by the type it renders to, not its text', () => {
    const s = z.object({ n: z.number(), name: z.string(), hosts: z.array(z.string()) });
    expect(check(s, { n: '{{count}}', name: '{{int}}', hosts: ['a', '{{int}}'] })).toEqual([
      'params.n: expected number, given the var {{count}} (string)',
      'params.name: expected string, given the output {{int}} (integer)',
      'params.hosts[1]: expected string, given the output {{int}} (integer)',
    ]);
    expect(check(s, { n: '{{int}}', name: 'web-{{env}}', hosts: ['{{host}}'] })).toEqual([]);
  });

  it('reports nothing that the content of a template decides', () => {
    const s = z.object({
      mode: z.enum(['fast', 'safe']),
      port: z.number().or(z.string().length(3)),
      shape: z.union([
        z.object({ kind: z.literal('disk'), size: z.number() }),
        z.object({ kind: z.literal('net'), host: z.string() }),
      ]),
    });
    const value = { mode: '{{mode}}', port: '{{port}}', shape: { kind: '{{kind}}', size: 1 } };
    expect(check(s, value)).toEqual([]);
    // The same, literal: each is certain.
    expect(check(s, { mode: 'slow', port: 'abcd', shape: { kind: 'tape', size: 1 } })).toEqual([
      'params.mode: expected one of "fast", "safe", given "slow"',
      'params.port: must NOT have more than 3 characters, given "abcd"',
      'params.shape.kind: expected "disk", given "tape"',
    ]);
    const objects = { type: 'object', properties: { o: { enum: [{ a: 'x' }] } } };
    expect(check(objects, { o: { a: '{{v}}' } })).toEqual([]);
    expect(check(objects, { o: { a: 'y' } })).toEqual([
      'params.o: expected one of {"a":"x"}, given {"a":"y"}',
    ]);
  });

  it('still reports what holds whatever a template renders to', () => {
    const s = z.strictObject({ a: z.string(), b: z.number() });
    expect(check(s, { a: '{{x}}', c: '{{y}}' })).toEqual([
      'params.b: expected a required number, given nothing',
      'params.c: expected no such field (known: a, b), given "{{y}}"',
    ]);
  });
});
