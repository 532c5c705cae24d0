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

  it("is true for a heartbeat folded into a running task's entry, with or without progress", () => {
    const beat = { heartbeats: 4, heartbeatAt: '2026-05-01T10:00:00Z' };
    expect(isProgressOnly({ tasks: { a: beat } })).toBe(true);
    expect(isProgressOnly({ tasks: { a: { heartbeats: 2 }, b: beat }, progress: '3/5' })).toBe(
      true,
    );
  });

  it('is false when a task entry changes more than its heartbeat', () => {
    expect(isProgressOnly({ tasks: { a: { heartbeats: 4, phase: 'Succeeded' } } })).toBe(false);
    expect(isProgressOnly({ tasks: { a: { heartbeats: 4 }, b: { phase: 'Running' } } })).toBe(
      false,
    );
    expect(isProgressOnly({ tasks: { a: null } })).toBe(false);
    expect(isProgressOnly({ tasks: {} })).toBe(false);
  });

  it('is false for an empty diff and for anything not an object', () => {
    expect(isProgressOnly({})).toBe(false);
    expect(isProgressOnly(null)).toBe(false);
    expect(isProgressOnly(undefined)).toBe(false);
    expect(isProgressOnly('progress')).toBe(false);
    expect(isProgressOnly([])).toBe(false);
  });
});
