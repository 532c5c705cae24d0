import { describe, expect, it } from 'vitest';
import { microTime, toMicroTime } from './time.ts';

describe('microTime', () => {
  it('has exactly six fractional digits', () => {
    expect(microTime(new Date('2026-08-20T10:00:05.123Z'))).toBe('2026-08-20T10:00:05.123000Z');
    expect(microTime(new Date('2026-08-20T10:00:05Z'))).toBe('2026-08-20T10:00:05.000000Z');
  });

  it('matches what a V1MicroTime serialises to', () => {
    const d = new Date('2026-08-20T10:00:05.007Z');
    expect(JSON.stringify(toMicroTime(d))).toBe(JSON.stringify(microTime(d)));
  });
});
