import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergePatchDiff } from './merge-patch.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 MergePatch(Target, Patch), written from the RFC's pseudo-code. */
function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: Record<string, Json> = {};
  if (isObject(target)) {
    for (const key of Object.keys(target)) {
      Object.defineProperty(result, key, {
        value: target[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  for (const key of Object.keys(patch)) {
    const value = patch[key] as Json;
    if (value === null) {
      delete result[key];
    } else {
      const current = Object.hasOwn(result, key) ? result[key] : undefined;
      Object.defineProperty(result, key, {
        value: applyMergePatch(current, value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return result;
}

describe('mergePatchDiff', () => {
  it.each([
    {
      name: 'equal objects',
      from: { a: 1, b: { c: [1, 2] } },
      to: { a: 1, b: { c: [1, 2] } },
      patch: undefined,
    },
    { name: 'equal empty objects', from: {}, to: {}, patch: undefined },
    { name: 'changed scalar', from: { a: 1, b: 2 }, to: { a: 1, b: 3 }, patch: { b: 3 } },
    { name: 'added key', from: { a: 1 }, to: { a: 1, b: 'x' }, patch: { b: 'x' } },
    { name: 'removed key becomes null', from: { a: 1, b: 2 }, to: { a: 1 }, patch: { b: null } },
    {
      name: 'key set to undefined is removed',
      from: { a: 1, b: 2 },
      to: { a: 1, b: undefined },
      patch: { b: null },
    },
    {
      name: 'undefined on both sides is no change',
      from: { a: undefined },
      to: {},
      patch: undefined,
    },
    {
      name: 'nested change keeps untouched siblings out',
      from: { tasks: { a: { phase: 'Running', worker: 'w1' }, b: { phase: 'Pending' } } },
      to: { tasks: { a: { phase: 'Succeeded', worker: 'w1' }, b: { phase: 'Pending' } } },
      patch: { tasks: { a: { phase: 'Succeeded' } } },
    },
    {
      name: 'nested removal',
      from: { tasks: { a: { phase: 'Pending', reason: 'NoWorkerForAction' } } },
      to: { tasks: { a: { phase: 'Scheduled' } } },
      patch: { tasks: { a: { phase: 'Scheduled', reason: null } } },
    },
    {
      name: 'arrays are replaced whole',
      from: { l: [1, 2, 3] },
      to: { l: [1, 2] },
      patch: { l: [1, 2] },
    },
    {
      name: 'array element change',
      from: { l: [{ a: 1 }] },
      to: { l: [{ a: 2 }] },
      patch: { l: [{ a: 2 }] },
    },
    { name: 'object becomes scalar', from: { o: { a: 1 } }, to: { o: 5 }, patch: { o: 5 } },
    { name: 'scalar becomes object', from: { o: 5 }, to: { o: { a: 1 } }, patch: { o: { a: 1 } } },
    { name: 'object becomes array', from: { o: { a: 1 } }, to: { o: [1] }, patch: { o: [1] } },
    {
      name: 'key order does not matter, in objects or inside arrays',
      from: { b: 1, a: 2, conditions: [{ type: 'Succeeded', status: 'True', reason: 'Done' }] },
      to: { a: 2, b: 1, conditions: [{ reason: 'Done', status: 'True', type: 'Succeeded' }] },
      patch: undefined,
    },
    {
      name: 'undefined members inside arrays are ignored like JSON does',
      from: { conditions: [{ type: 'x', observedGeneration: undefined }] },
      to: { conditions: [{ type: 'x' }] },
      patch: undefined,
    },
    { name: 'top-level scalars equal', from: 3, to: 3, patch: undefined },
    { name: 'top-level scalar change', from: 3, to: 'x', patch: 'x' },
    { name: 'from undefined to object', from: undefined, to: { a: 1 }, patch: { a: 1 } },
  ])('$name', ({ from, to, patch }) => {
    expect(mergePatchDiff(from, to)).toStrictEqual(patch);
  });

  it.each(['toString', 'constructor', 'hasOwnProperty', 'valueOf', '__proto__'])(
    'handles a key named %s like any other',
    (key) => {
      const withKey = JSON.parse(`{"keep": 1, "${key}": {"phase": "Running"}}`) as Json;
      const without = { keep: 1 };
      const removal = mergePatchDiff(withKey, without);
      expect(removal).toBeDefined();
      expect(canonical(applyMergePatch(withKey, removal as Json))).toBe(canonical(without));
      const addition = mergePatchDiff(without, withKey);
      expect(addition).toBeDefined();
      expect(canonical(applyMergePatch(without, addition as Json))).toBe(canonical(withKey));
      expect(JSON.stringify(addition)).toBe(`{"${key}":{"phase":"Running"}}`);
    },
  );

  it('does not mutate its inputs', () => {
    const from = { a: { b: 1 }, c: 2 };
    const to = { a: { b: 2 } };
    mergePatchDiff(from, to);
    expect(from).toEqual({ a: { b: 1 }, c: 2 });
    expect(to).toEqual({ a: { b: 2 } });
  });

  describe('applying the diff to the source gives the target (RFC 7386)', () => {
    const key = fc.oneof(
      fc.constantFrom('a', 'b', 'c', 'phase', 'toString', 'constructor', '__proto__'),
      fc.string({ maxLength: 4 }),
    );
    // Merge patches cannot set an object member to null (null means "remove"),
    // so targets hold null only inside arrays.
    const { value } = fc.letrec<{ value: Json; member: Json }>((tie) => ({
      member: fc.oneof(
        { depthSize: 'small' },
        fc.boolean(),
        fc.integer(),
        fc.string({ maxLength: 5 }),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(key, tie('member'), { maxKeys: 4, noNullPrototype: true }),
      ),
      value: fc.oneof({ depthSize: 'small' }, fc.constant(null), tie('member')),
    }));
    const object = fc.dictionary(
      key,
      value.filter((v) => v !== null),
      { maxKeys: 5, noNullPrototype: true },
    ) as fc.Arbitrary<Json>;

    it('for random JSON objects', () => {
      fc.assert(
        fc.property(object, object, (from, to) => {
          const patch = mergePatchDiff(from, to);
          const result = patch === undefined ? from : applyMergePatch(from, patch);
          expect(canonical(result)).toBe(canonical(to));
          expect(patch === undefined).toBe(isEqual(from, to));
        }),
        { numRuns: 500 },
      );
    });

    it('for a target derived from the source by small edits', () => {
      const pair = object.chain((from) =>
        fc
          .tuple(
            fc.constant(from),
            fc.array(fc.tuple(key, fc.option(value.filter((v) => v !== null))), { maxLength: 4 }),
          )
          .map(([f, edits]) => {
            const to = structuredClone(f) as Record<string, Json>;
            for (const [k, v] of edits) {
              if (v === null) delete to[k];
              else
                Object.defineProperty(to, k, {
                  value: v,
                  enumerable: true,
                  writable: true,
                  configurable: true,
                });
            }
            return [f, to] as const;
          }),
      );
      fc.assert(
        fc.property(pair, ([from, to]) => {
          const patch = mergePatchDiff(from, to);
          expect(canonical(patch === undefined ? from : applyMergePatch(from, patch))).toBe(
            canonical(to),
          );
          if (patch !== undefined)
            expect(mergePatchDiff(applyMergePatch(from, patch), to)).toBeUndefined();
        }),
        { numRuns: 500 },
      );
    });
  });
});

/**
 * JSON text with sorted keys. Used instead of toStrictEqual, which reads a
 * value's `constructor` and so mistakes a key named "constructor" for a type.
 */
function canonical(v: Json): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    isObject(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, x[k]]),
        )
      : x,
  );
}

/** Structural equality of JSON values, ignoring key order. */
function isEqual(a: Json, b: Json): boolean {
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every((k) => Object.hasOwn(b, k) && isEqual(a[k] as Json, b[k] as Json))
    );
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => isEqual(x, b[i] as Json));
  }
  return a === b;
}
