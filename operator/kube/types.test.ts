import { describe, expect, it } from 'vitest';
import { objectKey, splitKey } from './types.ts';

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
