import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.ts';

const keys = (map: BoundedMap<string, number>, all: string[]) => all.filter((k) => map.has(k));

describe('BoundedMap', () => {
  it('keeps the newest maxEntries, dropping the oldest set first', () => {
    const map = new BoundedMap<string, number>({ maxEntries: 2 });
    map.set('a', 1).set('b', 2);
    expect(map.get('a')).toBe(1); // a read does not renew an entry
    map.set('c', 3);
    expect(keys(map, ['a', 'b', 'c'])).toEqual(['b', 'c']);
    expect(map.size).toBe(2);
    map.set('b', 20).set('d', 4); // setting again makes b the newest
    expect(keys(map, ['b', 'c', 'd'])).toEqual(['b', 'd']);
    expect(map.get('b')).toBe(20);
  });

  it('keeps nothing when maxEntries is 0', () => {
    const map = new BoundedMap<string, number>({ maxEntries: 0 });
    map.set('a', 1);
    expect(map.has('a')).toBe(false);
    expect(map.size).toBe(0);
  });

  it('bounds the sum of the sizes, counting a replaced or deleted entry out', () => {
    const map = new BoundedMap<string, number>({
      maxEntries: Infinity,
      maxSize: 10,
      sizeOf: (v) => v,
    });
    map.set('a', 4).set('b', 4);
    map.set('a', 2); // 2 + 4, not 4 + 4 + 2
    map.set('c', 4);
    expect(keys(map, ['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
    map.set('d', 3); // 13 > 10: the oldest, b (4), goes
    expect(keys(map, ['a', 'b', 'c', 'd'])).toEqual(['a', 'c', 'd']);
    expect(map.delete('a')).toBe(true);
    expect(map.delete('a')).toBe(false);
    map.set('e', 3); // 4 + 3 + 3 = 10: nothing goes
    expect(keys(map, ['c', 'd', 'e'])).toEqual(['c', 'd', 'e']);
    map.set('big', 11); // larger than the bound alone: everything goes, itself too
    expect(map.size).toBe(0);
  });
});
