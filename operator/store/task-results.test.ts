import { describe, expect, it } from 'vitest';
import { taskResultName } from './task-results.ts';

describe('taskResultName', () => {
  it('is one object per worker and instance', () => {
    expect(taskResultName('run-1', 'w1')).toBe(taskResultName('run-1', 'w1'));
    expect(taskResultName('run-1', 'w1')).not.toBe(taskResultName('run-1', 'w2'));
    expect(taskResultName('run-1', 'w1')).toMatch(/^run-1-r[0-9a-f]{10}$/);
  });

  it('keeps two 253-character instance names that share a prefix apart, within 253', () => {
    const a = `${'x'.repeat(252)}a`;
    const b = `${'x'.repeat(252)}b`;
    for (const n of [taskResultName(a, 'w1'), taskResultName(b, 'w1')]) {
      expect(n.length).toBeLessThanOrEqual(253);
      expect(n).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    }
    expect(taskResultName(a, 'w1')).not.toBe(taskResultName(b, 'w1'));
  });
});
