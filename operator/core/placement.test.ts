import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../api/dag-instance.ts';
import { at, graphOf, step, start, task, worker } from '../../test/support/decide-fixtures.ts';
import {
  MAX_QUEUED,
  PlacementHints,
  kindOf,
  parentWorker,
  queueAllowance,
  typicalDurations,
} from './placement.ts';
import { WorkerPool } from './worker-pool.ts';

const ran = (ms: number, worker = 'w1'): TaskStatus => ({
  phase: 'Succeeded',
  worker,
  attempt: 1,
  startedAt: at(0).toISOString(),
  finishedAt: new Date(at(0).getTime() + ms).toISOString(),
});

/** root → `width` children of the same kind → nothing else. */
function wave(width: number, childAction = 'Print') {
  return graphOf([
    task('root'),
    ...Array.from({ length: width }, (_, i) => task(`c${i}`, ['root'], childAction)),
  ]);
}

const perWorker = (assigned: { worker: string }[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const a of assigned) counts[a.worker] = (counts[a.worker] ?? 0) + 1;
  return counts;
};

describe('placement: packing a wave', () => {
  it('knows one kind of work by its action and params as the Dag writes them', () => {
    const graph = graphOf([
      task('a'),
      task('b'),
      { ...task('c'), params: { seconds: 10 } },
      task('d', [], 'Upload'),
    ]);
    expect(kindOf(graph, 'a')).toBe(kindOf(graph, 'b'));
    expect(kindOf(graph, 'c')).not.toBe(kindOf(graph, 'a'));
    expect(kindOf(graph, 'd')).not.toBe(kindOf(graph, 'a'));
    expect(kindOf(graph, 'missing')).toBeUndefined();
  });

  it('takes the shortest succeeded attempt of each kind as its typical time', () => {
    const graph = graphOf([task('a'), task('b'), task('c', [], 'Upload')]);
    const failed: TaskStatus = { ...ran(1), phase: 'Failed' };
    const tasks = { a: ran(40), b: ran(15), c: failed };
    const typical = typicalDurations(graph, tasks);
    expect(typical.get(kindOf(graph, 'a') as string)).toBe(15);
    expect(typical.has(kindOf(graph, 'c') as string)).toBe(false);
    expect(new PlacementHints(graph, tasks).typicalMs('b')).toBe(15);
    expect(new PlacementHints(graph, tasks).typicalMs('c')).toBeUndefined();
  });

  it('queues about five seconds of short work beyond the slots, none of unknown length', () => {
    expect(queueAllowance(8, undefined)).toBe(0);
    expect(queueAllowance(8, 10_000)).toBe(4);
    expect(queueAllowance(8, 60_000)).toBe(0);
    expect(queueAllowance(8, 250)).toBe(160);
    expect(queueAllowance(8, 0)).toBe(MAX_QUEUED);
  });

  it("starts a wave on its parent's worker", () => {
    const graph = wave(2);
    expect(parentWorker(graph, { root: ran(1, 'w2') }, 'c0')).toBe('w2');
    expect(parentWorker(graph, {}, 'c0')).toBeUndefined();
  });

  it('packs a wave of short work onto its parent’s worker, up to its queue', () => {
    const graph = wave(100);
    const workers = ['w1', 'w2', 'w3', 'w4'].map((n) => worker(n, ['Print'], 8));
    const status = { ...start(), tasks: { root: ran(2, 'w3') } };
    const d = step(graph, status, workers, at(1));
    expect(perWorker(d.assigned)).toEqual({ w3: 100 });
  });

  it('spills a wave beyond one queue onto the worker with the most room, and fills it', () => {
    const graph = wave(300);
    const workers = [worker('w1', ['Print'], 8), worker('w2', ['Print'], 8, 5)];
    const d = step(graph, { ...start(), tasks: { root: ran(0, 'w1') } }, workers, at(1));
    const full = 8 + MAX_QUEUED;
    expect(perWorker(d.assigned)).toEqual({ w1: full, w2: 300 - full });
  });

  it('spreads work of unknown length over every free slot, then evenly', () => {
    const workers = ['w1', 'w2', 'w3', 'w4'].map((n) => worker(n, ['Print', 'Upload'], 8));
    // The root is another kind of work: it says nothing of how long the children take.
    const other = wave(100, 'Upload');
    const status = { ...start(), tasks: { root: ran(2, 'w3') } };
    const d = step(other, status, workers, at(1));
    expect(perWorker(d.assigned)).toEqual({ w1: 25, w2: 25, w3: 25, w4: 25 });
  });

  it("fills the instance's own workers before another", () => {
    const pool = new WorkerPool(
      [worker('a', ['Print'], 2), worker('b', ['Print'], 4), worker('c', ['Print'], 2)],
      undefined,
      ['c'],
    );
    expect([1, 2, 3, 4, 5].map(() => pool.pick('Print'))).toEqual(['c', 'c', 'b', 'b', 'b']);
  });
});
