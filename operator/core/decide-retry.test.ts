import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../api/dag.ts';
import {
  at,
  decideOnce,
  failure,
  graphOf,
  phases,
  report,
  start,
  step,
  task,
  worker,
} from '../../test/support/decide-fixtures.ts';

describe('decide: retry backoff counts on the operator clock', () => {
  const graph = graphOf([
    { ...task('A'), retry: { limit: 2, backoff: { seconds: 10, factor: 2 } } },
  ]);
  const workers = [worker('w1')];

  // A worker clock an hour behind would make the retry due at once; one an hour ahead
  // would hold it back an hour. Either way the backoff runs from when the operator saw it.
  for (const [clock, skew] of [
    ['behind', -3600],
    ['ahead', 3600],
  ] as const) {
    it(`waits the backoff from the failure it saw, whatever the worker clock (${clock})`, () => {
      const placed = step(graph, start(), workers, at(1));
      const running = report(placed.status, 'A', 'AttemptStarted');
      const failed = failure(running, 'A', at(4 + skew));
      const d = step(graph, failed, workers, at(5));
      expect(d.assigned).toEqual([]);
      expect(d.status.tasks?.['A']).toMatchObject({
        phase: 'Retrying',
        retryAt: at(15).toISOString(),
      });
      expect(d.wakeAt).toEqual(at(15));
      expect(step(graph, d.status, workers, at(15)).assigned).toEqual([
        { task: 'A', worker: 'w1', attempt: 2 },
      ]);
    });
  }
});

describe('decide: a continued task stays continued', () => {
  const blocked: TaskSpec = {
    ...task('B'),
    preCheck: [{ act: 'block', conditions: [{ source: 'vars', key: 'go', op: 'not-exists' }] }],
  };
  const continueB = { annotations: { 'fastflow.io/continue': 'c1' } };

  function continuedOn(workers: ReturnType<typeof worker>[], spec: TaskSpec = blocked) {
    const graph = graphOf([spec]);
    const held = step(graph, start(), workers, at(1));
    expect(phases(held.status)).toEqual({ B: 'Blocked' });
    const d = step(graph, held.status, workers, at(2), continueB);
    expect(d.status.tasks?.['B']).toMatchObject({ phase: 'Scheduled', continued: true });
    return { graph, status: d.status };
  }

  it('when its worker is lost: the next attempt is placed, not blocked again', () => {
    const { graph, status } = continuedOn([worker('w1')]);
    const d = step(graph, status, [worker('w2')], at(3), continueB);
    expect(d.assigned).toEqual([{ task: 'B', worker: 'w2', attempt: 2 }]);
    expect(d.status.tasks?.['B']).toMatchObject({ phase: 'Scheduled', continued: true });
  });

  it('when its lost attempt waits for a worker, and once one comes', () => {
    const { graph, status } = continuedOn([worker('w1')]);
    const waiting = step(graph, status, [], at(3), continueB);
    expect(waiting.status.tasks?.['B']).toMatchObject({ phase: 'Pending', continued: true });
    const d = step(graph, waiting.status, [worker('w2')], at(4), continueB);
    expect(d.status.tasks?.['B']).toMatchObject({ phase: 'Scheduled', continued: true });
  });

  it('when a retry operation runs it again', () => {
    const { graph, status } = continuedOn([worker('w1')]);
    const failed = step(graph, failure(status, 'B', at(3)), [worker('w1')], at(4), continueB);
    expect(failed.status.phase).toBe('Failed');
    const retry = { annotations: { ...continueB.annotations, 'fastflow.io/retry': 'r1' } };
    const d = step(graph, failed.status, [worker('w1')], at(5), retry);
    expect(d.status.operations?.retry).toMatchObject({ result: 'Applied' });
    expect(d.assigned).toEqual([{ task: 'B', worker: 'w1', attempt: 2 }]);
    expect(d.status.tasks?.['B']).toMatchObject({ phase: 'Scheduled', continued: true });
  });

  it('when its retry policy runs it again', () => {
    const spec = { ...blocked, retry: { limit: 1, backoff: { seconds: 0, factor: 2 } } };
    const { graph, status } = continuedOn([worker('w1')], spec);
    const d = step(graph, failure(status, 'B', at(3)), [worker('w1')], at(4), continueB);
    expect(d.status.tasks?.['B']).toMatchObject({
      phase: 'Scheduled',
      attempt: 2,
      continued: true,
    });
  });
});

describe('decide: a task waiting for a worker has passed its preCheck', () => {
  it('is not skipped on the next pass after losing its worker (a fixed point)', () => {
    const graph = graphOf([
      {
        ...task('A'),
        preCheck: [{ act: 'skip', conditions: [{ source: 'share-data', key: 'k', op: 'exists' }] }],
      },
    ]);
    const placed = step(graph, start(), [worker('w1')], at(1));
    expect(placed.status.tasks?.['A']?.phase).toBe('Scheduled');
    // The check would hold now; the task passed it when it became ready, and stays placed.
    const shareData = { k: 'y' };
    const lost = decideOnce(graph, report(placed.status, 'A', 'AttemptStarted'), [], at(2), {
      shareData,
    });
    expect(lost.status.tasks?.['A']).toMatchObject({
      phase: 'Pending',
      reason: 'NoWorkerForAction',
    });
    const next = decideOnce(graph, lost.status, [], at(2), { shareData });
    expect(next.status).toEqual(lost.status);
  });
});
