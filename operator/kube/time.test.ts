import { describe, expect, it } from 'vitest';
import { microTime, parseKubeTime, toMicroTime } from './time.ts';

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

describe('parseKubeTime', () => {
  it('reads strings (what the API returns) and Dates', () => {
    expect(parseKubeTime('2026-08-20T10:00:05.123456Z')?.toISOString()).toBe(
      '2026-08-20T10:00:05.123Z',
    );
    expect(parseKubeTime('2026-08-20T10:00:05Z')?.getTime()).toBe(Date.UTC(2026, 7, 20, 10, 0, 5));
    const d = new Date(5);
    expect(parseKubeTime(d)?.getTime()).toBe(5);
    expect(parseKubeTime(d)).not.toBe(d);
  });

  it('is undefined for missing or unparsable values', () => {
    for (const v of [undefined, null, '', 'yesterday', 42, new Date(NaN)]) {
      expect(parseKubeTime(v)).toBeUndefined();
    }
  });
});
