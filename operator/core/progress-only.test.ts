import { describe, expect, it } from 'vitest';
import { isProgressOnly } from './progress-only.ts';

describe('isProgressOnly', () => {
  it('is true for a diff of progress, message and conditions only', () => {
    expect(isProgressOnly({ progress: '3/5' })).toBe(true);
    expect(isProgressOnly({ progress: '3/5', message: 'running', conditions: [] })).toBe(true);
  });

  it('is false as soon as anything else changes', () => {
    expect(isProgressOnly({ progress: '3/5', tasks: { a: { phase: 'Scheduled' } } })).toBe(false);
    expect(isProgressOnly({ phase: 'Succeeded', progress: '5/5' })).toBe(false);
    expect(isProgressOnly({ finishTime: '2026-05-01T10:00:00Z' })).toBe(false);
  });

  it('is false for an empty diff and for anything not an object', () => {
    expect(isProgressOnly({})).toBe(false);
    expect(isProgressOnly(null)).toBe(false);
    expect(isProgressOnly(undefined)).toBe(false);
    expect(isProgressOnly('progress')).toBe(false);
    expect(isProgressOnly([])).toBe(false);
  });
});
