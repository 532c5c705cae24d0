import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../api/dag-instance.ts';
import { foldResults } from './fold-results.ts';

const T = '2026-05-01T10:00:00.000Z';
const scheduled = (worker: string, attempt: number): TaskStatus => ({
  phase: 'Scheduled',
  worker,
  attempt,
  scheduledAt: T,
});

describe('foldResults', () => {
  it("folds a result into its attempt's entry by the transition table", () => {
    const folded = foldResults({ a: scheduled('w1', 1) }, [
      {
        worker: 'w1',
        results: { 'a@1': { phase: 'Succeeded', startedAt: T, finishedAt: T, output: '{"n":1}' } },
      },
    ]);
    expect(folded.tasks['a']).toEqual({
      phase: 'Succeeded',
      worker: 'w1',
      attempt: 1,
      scheduledAt: T,
      startedAt: T,
      finishedAt: T,
      output: { n: 1 },
    });
    expect(folded.outcomes).toEqual([{ worker: 'w1', key: 'a@1', outcome: 'folded' }]);
  });

  it('folds the name of the data object holding a larger output, not a value', () => {
    const folded = foldResults({ a: scheduled('w1', 1) }, [
      { worker: 'w1', results: { 'a@1': { phase: 'Succeeded', outputRef: 'i-d1-1' } } },
    ]);
    expect(folded.tasks['a']).toMatchObject({ phase: 'Succeeded', outputRef: 'i-d1-1' });
    expect(folded.tasks['a']?.output).toBeUndefined();
  });

  it('§13.13 discards the late result of an attempt given to another worker', () => {
    const tasks = { a: scheduled('w2', 2) };
    const folded = foldResults(tasks, [
      { worker: 'w1', results: { 'a@1': { phase: 'Succeeded', finishedAt: T } } },
    ]);
    expect(folded.tasks).toEqual(tasks);
    expect(folded.outcomes[0]?.outcome).toBe('stale');
  });

  it('discards a result of the current attempt number from another worker, or for no entry', () => {
    const tasks = { a: scheduled('w2', 1) };
    const folded = foldResults(tasks, [
      { worker: 'w1', results: { 'a@1': { phase: 'Running' }, 'b@1': { phase: 'Running' } } },
    ]);
    expect(folded.tasks).toEqual(tasks);
    // No entry: what a folded result looks like once its entry moved into a shard.
    expect(folded.outcomes.map((o) => o.outcome)).toEqual(['stale', 'absent']);
  });

  it('discards a result the table has no row for (a canceled task stays canceled)', () => {
    const canceled: TaskStatus = { ...scheduled('w1', 1), phase: 'Canceled', reason: 'Canceled' };
    const folded = foldResults({ a: canceled }, [
      { worker: 'w1', results: { 'a@1': { phase: 'Succeeded', finishedAt: T } } },
    ]);
    expect(folded.tasks['a']).toEqual(canceled);
    expect(folded.outcomes[0]?.outcome).toBe('stale');
  });

  it('is idempotent: a result already folded changes nothing', () => {
    const results = [
      { worker: 'w1', results: { 'a@1': { phase: 'Running' as const, startedAt: T } } },
    ];
    const once = foldResults({ a: scheduled('w1', 1) }, results);
    const twice = foldResults(once.tasks, results);
    expect(twice.tasks).toEqual(once.tasks);
    expect(twice.outcomes[0]?.outcome).toBe('already');
  });

  it('fails the attempt clearly when its output is not JSON', () => {
    const folded = foldResults({ a: scheduled('w1', 1) }, [
      { worker: 'w1', results: { 'a@1': { phase: 'Succeeded', output: '{' } } },
    ]);
    expect(folded.tasks['a']).toMatchObject({ phase: 'Failed', reason: 'ResultRefused' });
  });

  it('discards a malformed attempt key', () => {
    const folded = foldResults({ a: scheduled('w1', 1) }, [
      { worker: 'w1', results: { a: { phase: 'Running' }, 'a@0': { phase: 'Running' } } },
    ]);
    expect(folded.outcomes.map((o) => o.outcome)).toEqual(['stale', 'stale']);
  });
});
