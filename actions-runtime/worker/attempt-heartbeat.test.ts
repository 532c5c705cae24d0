import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AttemptHeartbeat } from './attempt-heartbeat.ts';

describe('AttemptHeartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first beat at once, then at most one per quarter of the timeout', () => {
    const sent: number[] = [];
    const beats = new AttemptHeartbeat(4, (n) => sent.push(n));
    beats.beat();
    vi.advanceTimersByTime(0);
    expect(sent).toEqual([1]);
    for (let i = 0; i < 100; i++) beats.beat();
    vi.advanceTimersByTime(999);
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([1, 2]);
    // Nothing called heartbeat since: nothing is written.
    vi.advanceTimersByTime(10_000);
    expect(sent).toEqual([1, 2]);
  });

  it('writes nothing for a task without a heartbeat timeout, and nothing once closed', () => {
    const sent: number[] = [];
    const none = new AttemptHeartbeat(undefined, (n) => sent.push(n));
    none.beat();
    vi.advanceTimersByTime(10_000);
    const closed = new AttemptHeartbeat(4, (n) => sent.push(n));
    closed.beat();
    closed.close();
    closed.beat();
    vi.advanceTimersByTime(10_000);
    expect(sent).toEqual([]);
  });
});
