import { describe, expect, it } from 'vitest';
import { keyOf, keyOfRaw, objectKey, refOf, resourceVersionOf } from './types.ts';

describe('keyOf / objectKey / refOf', () => {
  it('uses namespace/name for namespaced objects', () => {
    expect(keyOf({ namespace: 'ns', name: 'a' })).toBe('ns/a');
    expect(objectKey({ metadata: { name: 'a', namespace: 'ns' } })).toBe('ns/a');
    expect(refOf('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
  });

  it('uses the bare name for cluster-scoped objects', () => {
    expect(keyOf({ name: 'a' })).toBe('a');
    expect(objectKey({ metadata: { name: 'a' } })).toBe('a');
    expect(refOf('a')).toEqual({ namespace: '', name: 'a' });
  });

  it('gives a bare name the default namespace', () => {
    expect(refOf('a', 'team')).toEqual({ namespace: 'team', name: 'a' });
    expect(refOf('ns/a', 'team')).toEqual({ namespace: 'ns', name: 'a' });
  });

  it('round-trips', () => {
    for (const ref of [
      { namespace: 'ns', name: 'a' },
      { namespace: 'x-1', name: 'b.c' },
    ]) {
      expect(refOf(keyOf(ref))).toEqual(ref);
    }
  });

  it('has no key for an object without a name', () => {
    expect(objectKey({ metadata: {} })).toBeUndefined();
    expect(objectKey({})).toBeUndefined();
  });
});

describe('keyOfRaw / resourceVersionOf', () => {
  it('read unparsed objects defensively', () => {
    const raw: unknown = { metadata: { name: 'a', namespace: 'ns', resourceVersion: '7' } };
    expect(keyOfRaw(raw)).toBe('ns/a');
    expect(resourceVersionOf(raw)).toBe('7');
    expect(keyOfRaw({ metadata: { name: 'a', namespace: 3 } })).toBe('a');
    for (const bad of [undefined, null, 'x', {}, { metadata: null }, { metadata: { name: 1 } }]) {
      expect(keyOfRaw(bad)).toBeUndefined();
      expect(resourceVersionOf(bad)).toBeUndefined();
    }
  });
});
