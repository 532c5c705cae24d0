import { describe, expect, it } from 'vitest';
import { OwnWrites } from './own-writes.ts';

describe('OwnWrites', () => {
  it('takes a cache showing a version a write of ours replaced as behind, until it shows another', () => {
    const own = new OwnWrites();
    expect(own.behind('ns/a', '5')).toBe(false);
    // A status write on version 5, then a label write on the version it returned (6).
    own.replaced('ns/a', ['5']);
    own.replaced('ns/a', ['6', undefined]);
    expect(own.behind('ns/a', '5')).toBe(true);
    expect(own.behind('ns/a', '6')).toBe(true);
    expect(own.behind('ns/b', '5')).toBe(false);
    // The cache caught up (7): nothing recorded is needed any more.
    expect(own.behind('ns/a', '7')).toBe(false);
    expect(own.behind('ns/a', '5')).toBe(false);
  });

  it('forgets an instance that is gone', () => {
    const own = new OwnWrites();
    own.replaced('ns/a', ['5']);
    own.forget('ns/a');
    expect(own.behind('ns/a', '5')).toBe(false);
  });
});
