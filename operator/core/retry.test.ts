import { describe, expect, it } from 'vitest';
import { MAX_HISTORY, type AttemptRecord } from '../api/dag-instance.ts';
import { withAttemptRecorded } from './retry.ts';

const record = (attempt: number): AttemptRecord => ({ attempt, phase: 'Failed' });

describe('withAttemptRecorded', () => {
  it('keeps the newest 3 attempt records inline and counts the older ones', () => {
    expect(MAX_HISTORY).toBe(3);
    const next = withAttemptRecorded({
      phase: 'Failed',
      attempt: 4,
      history: [1, 2, 3].map(record),
    });
    expect(next.history?.map((h) => h.attempt)).toEqual([2, 3, 4]);
    expect(next.historyDropped).toBe(1);
  });

  it('trims an entry written under the former bound of 10, adding to its count', () => {
    const next = withAttemptRecorded({
      phase: 'Failed',
      attempt: 11,
      history: Array.from({ length: 10 }, (_, i) => record(i + 1)),
      historyDropped: 5,
    });
    expect(next.history?.map((h) => h.attempt)).toEqual([9, 10, 11]);
    expect(next.historyDropped).toBe(13);
  });
});
