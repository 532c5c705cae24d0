import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration } from './duration.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [-5, '0ms'],
    [0.4, '0ms'],
    [1, '1ms'],
    [850, '850ms'],
    [999, '999ms'],
    [999.6, '1.0s'],
    [1000, '1.0s'],
    [1049, '1.0s'],
    [12_300, '12.3s'],
    [59_900, '59.9s'],
    [59_999, '59.9s'],
    [60_000, '1m00s'],
    [61_000, '1m01s'],
    [245_000, '4m05s'],
    [3_599_999, '59m59s'],
    [3_600_000, '1h00m'],
    [7_380_000, '2h03m'],
    [90_000_000, '25h00m'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('never goes backwards as the duration grows', () => {
    const value = (s: string): number => {
      const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:([\d.]+)s)?(?:(\d+)ms)?$/.exec(s);
      if (!m) throw new Error(`unexpected format ${s}`);
      const [, h = '0', min = '0', sec = '0', ms = '0'] = m;
      return Number(h) * 3_600_000 + Number(min) * 60_000 + Number(sec) * 1000 + Number(ms);
    };
    fc.assert(
      fc.property(fc.nat(200_000_000), fc.nat(200_000_000), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(value(formatDuration(lo))).toBeLessThanOrEqual(value(formatDuration(hi)));
        expect(value(formatDuration(lo))).toBeLessThanOrEqual(lo);
      }),
    );
  });
});
