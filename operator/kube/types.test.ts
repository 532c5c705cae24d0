import { describe, expect, it } from 'vitest';
import { keyOfRaw, objectKey, resourceVersionOf, splitKey } from './types.ts';

describe('objectKey / splitKey', () => {
  it('uses namespace/name for namespaced objects', () => {
    expect(objectKey({ metadata: { name: 'a', namespace: 'ns' } })).toBe('ns/a');
    expect(splitKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
  });

  it('uses the bare name for cluster-scoped objects', () => {
    expect(objectKey({ metadata: { name: 'a' } })).toBe('a');
    expect(splitKey('a')).toEqual({ name: 'a' });
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
