import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import type { TaskSpec } from '../api/dag.ts';
import { foldResults } from './fold-results.ts';
import {
  at,
  graphOf,
  report,
  start,
  step,
  task,
  worker,
} from '../../test/support/decide-fixtures.ts';

const retry = { limit: 1, backoff: { seconds: 0, factor: 2 } };

/** The worker's TaskResult carrying `n` heartbeats of A's attempt, folded into the status. */
function beat(status: DagInstanceStatus, w: string, attempt: number, n: number) {
  const results = { [`A@${attempt}`]: { phase: 'Running' as const, heartbeats: n } };
  const folded = foldResults(status.tasks ?? {}, [{ worker: w, results }]);
  return { ...status, tasks: folded.tasks };
}

describe('decide: schedule-to-start timeout', () => {
  const spec: TaskSpec = { ...task('A'), scheduleToStartSecs: 30, retry };
  const graph = graphOf([spec]);

  it('wakes when it would expire, fails an attempt never reported Running, and retries it on another worker', () => {
    // w1 is less loaded, so it gets the first attempt; it never starts it.
    const workers = [worker('w1'), worker('w2', ['Print'], 10, 5)];
    const placed = step(graph, start(), workers, at(1));
    expect(placed.status.tasks?.['A']).toMatchObject({ phase: 'Scheduled', worker: 'w1' });
    expect(placed.wakeAt).toEqual(at(31));
    expect(step(graph, placed.status, workers, at(30)).status.tasks?.['A']?.phase).toBe(
      'Scheduled',
    );

    const expired = step(graph, placed.status, workers, at(31));
    const a = expired.status.tasks?.['A'];
    expect(a).toMatchObject({ phase: 'Scheduled', worker: 'w2', attempt: 2 });
    expect(a?.history?.[0]).toMatchObject({
      attempt: 1,
      worker: 'w1',
      phase: 'Failed',
      reason: 'ScheduleToStartTimeout',
    });
    expect(a?.history?.[0]?.message).toContain('within scheduleToStartSecs (30s)');
  });

  it('retries on the same worker when it is the only one with the action', () => {
    const workers = [worker('w1')];
    const placed = step(graph, start(), workers, at(1));
    const expired = step(graph, placed.status, workers, at(40));
    expect(expired.assigned).toEqual([{ task: 'A', worker: 'w1', attempt: 2 }]);
  });

  it('does not apply once the attempt runs, and fails the task when retries are used up', () => {
    const workers = [worker('w1')];
    const placed = step(graph, start(), workers, at(1));
    const running = report(placed.status, 'A', 'AttemptStarted');
    const later = step(graph, running, workers, at(100));
    expect(later.status.tasks?.['A']?.phase).toBe('Running');
    expect(later.wakeAt).toBeUndefined();

    const noRetry = graphOf([{ ...task('A'), scheduleToStartSecs: 5 }]);
    const once = step(noRetry, start(), workers, at(1));
    const failed = step(noRetry, once.status, workers, at(6));
    expect(failed.status.phase).toBe('Failed');
    expect(failed.status.tasks?.['A']).toMatchObject({ reason: 'ScheduleToStartTimeout' });
  });
});

describe('decide: heartbeat timeout', () => {
  const spec: TaskSpec = { ...task('A'), heartbeatTimeoutSecs: 10, retry };
  const graph = graphOf([spec]);
  const workers = [worker('w1')];

  function runningAt(seconds: number): DagInstanceStatus {
    const placed = step(graph, start(), workers, at(1));
    const running = report(placed.status, 'A', 'AttemptStarted');
    const seen = step(graph, running, workers, at(seconds));
    expect(seen.status.tasks?.['A']?.heartbeatAt).toBe(at(seconds).toISOString());
    expect(seen.wakeAt).toEqual(at(seconds + 10));
    return seen.status;
  }

  it('counts from when the operator first saw it Running, then from each new beat', () => {
    const running = runningAt(2);
    const beaten = step(graph, beat(running, 'w1', 1, 1), workers, at(9));
    expect(beaten.status.tasks?.['A']).toMatchObject({
      phase: 'Running',
      heartbeats: 1,
      heartbeatAt: at(9).toISOString(),
    });
    expect(beaten.wakeAt).toEqual(at(19));
    // The same beat folded again is not a new one: the clock does not move.
    const again = step(graph, beat(beaten.status, 'w1', 1, 1), workers, at(18));
    expect(again.status.tasks?.['A']?.heartbeatAt).toBe(at(9).toISOString());
    expect(step(graph, again.status, workers, at(18.9)).status.tasks?.['A']?.phase).toBe('Running');
  });

  it('fails an attempt that stops beating and retries it', () => {
    const running = runningAt(2);
    const d = step(graph, running, workers, at(12));
    const a = d.status.tasks?.['A'];
    expect(a).toMatchObject({ phase: 'Scheduled', attempt: 2 });
    expect(a?.heartbeatAt).toBeUndefined();
    expect(a?.history?.[0]).toMatchObject({ reason: 'HeartbeatTimeout', phase: 'Failed' });
    expect(a?.history?.[0]?.message).toContain('heartbeatTimeoutSecs (10s)');
  });

  it('is not enforced on a task without heartbeatTimeoutSecs', () => {
    const plain = graphOf([task('A')]);
    const placed = step(plain, start(), workers, at(1));
    const running = report(placed.status, 'A', 'AttemptStarted');
    const d = step(plain, running, workers, at(100_000));
    expect(d.status.tasks?.['A']).toMatchObject({ phase: 'Running' });
    expect(d.status.tasks?.['A']?.heartbeatAt).toBeUndefined();
  });
});

describe('foldResults: heartbeats', () => {
  it('folds only a newer count of the current attempt, and only while Running', () => {
    const status: DagInstanceStatus = {
      tasks: { A: { phase: 'Running', worker: 'w1', attempt: 1, heartbeatAt: 'x', heartbeats: 2 } },
    };
    expect(beat(status, 'w1', 1, 2).tasks?.['A']?.heartbeatAt).toBe('x');
    expect(beat(status, 'w1', 1, 3).tasks?.['A']).toMatchObject({ heartbeats: 3 });
    expect(beat(status, 'w1', 1, 3).tasks?.['A']?.heartbeatAt).toBeUndefined();
    expect(beat(status, 'w2', 1, 9).tasks?.['A']?.heartbeats).toBe(2);
    const done: DagInstanceStatus = { tasks: { A: { ...status.tasks?.['A'], phase: 'Failed' } } };
    expect(beat(done, 'w1', 1, 9).tasks?.['A']?.phase).toBe('Failed');
  });
});
