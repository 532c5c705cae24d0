import { describe, expect, it, vi } from 'vitest';
import type { DagInstanceStatus, TaskStatus } from '../api/dag-instance.ts';
import { graphOf, task } from '../../test/support/decide-fixtures.ts';
import { ActionLimiter } from './action-limiter.ts';

const T = new Date('2026-05-01T10:00:00Z');
const graph = graphOf([task('A', [], 'Deploy'), task('B', [], 'Deploy')]);
const running: TaskStatus = { phase: 'Running', worker: 'w', attempt: 1 };
const waiting: TaskStatus = { phase: 'Pending', reason: 'ActionLimit' };
const status = (tasks: Record<string, TaskStatus>): DagInstanceStatus => ({ tasks });
const free = (l: ActionLimiter, key: string, s: DagInstanceStatus = status({})) =>
  l.slotsFor(key, graph, s, T)?.get('Deploy')?.free;

describe('ActionLimiter', () => {
  it('counts what every instance holds, serves waiters first come first served, and wakes them when a slot frees', () => {
    const woken: string[] = [];
    const l = new ActionLimiter({ Deploy: 2 }, (k) => woken.push(k));
    expect(free(l, 'ns/a')).toBe(2);
    l.record('ns/a', graph, status({ A: running, B: running }), [], T);
    expect(free(l, 'ns/b')).toBe(0);
    l.record('ns/b', graph, status({ A: waiting }), [], T);
    l.record('ns/c', graph, status({ A: waiting }), [], T);
    // Its own tasks count once, however the status it decides from shows them.
    expect(free(l, 'ns/a', status({ A: running, B: running }))).toBe(0);

    // One of a's tasks ends: b, first in line, is woken; c, behind it, gets nothing yet.
    l.record('ns/a', graph, status({ A: running }), [], T);
    expect(woken).toEqual(['ns/b']);
    expect(free(l, 'ns/c')).toBe(0);
    expect(free(l, 'ns/b')).toBe(1);
    l.record('ns/b', graph, status({ A: running }), [], T);
    expect(free(l, 'ns/c')).toBe(0);
    // a is gone: c is woken.
    l.forget('ns/a');
    expect(woken).toEqual(['ns/b', 'ns/c']);
    expect(free(l, 'ns/c')).toBe(1);
  });

  it('gives no slot after a start until every instance that may hold one has been seen', () => {
    const woken: string[] = [];
    const l = new ActionLimiter({ Deploy: 1 }, (k) => woken.push(k));
    l.expect(['ns/old']);
    expect(free(l, 'ns/new')).toBe(0);
    l.record('ns/new', graph, status({ A: waiting }), [], T);
    l.record('ns/old', graph, status({}), [], T);
    expect(woken).toEqual(['ns/new']);
    expect(free(l, 'ns/new')).toBe(1);
  });

  it('reserves the slots handed to a pass: a pass interleaved before it records gets none of them', () => {
    const woken: string[] = [];
    const l = new ActionLimiter({ Deploy: 2 }, (k) => woken.push(k));
    l.record('ns/a', graph, status({ A: running }), [], T);
    // b's pass is handed the last slot; c's pass starts before b's records what it placed.
    expect(free(l, 'ns/b')).toBe(1);
    expect(free(l, 'ns/c')).toBe(0);
    l.record('ns/c', graph, status({ A: waiting }), [], T);
    l.record('ns/b', graph, status({ A: running }), [{ task: 'A' }], T);
    expect(free(l, 'ns/c')).toBe(0);
    expect(woken).toEqual([]);
  });

  it.each([
    ['placed nothing', (l: ActionLimiter) => l.record('ns/b', graph, status({}), [], T)],
    ['failed before it recorded', (l: ActionLimiter) => l.release('ns/b')],
  ])('gives the slots of a pass that %s to the first waiter', (_what, end) => {
    const woken: string[] = [];
    const l = new ActionLimiter({ Deploy: 1 }, (k) => woken.push(k));
    expect(free(l, 'ns/b')).toBe(1);
    expect(free(l, 'ns/c')).toBe(0);
    l.record('ns/c', graph, status({ A: waiting }), [], T);
    end(l);
    expect(woken).toEqual(['ns/c']);
    expect(free(l, 'ns/c')).toBe(1);
    // Another pass of the same instance replaces its reservation, not adds to it.
    expect(free(l, 'ns/c')).toBe(1);
    expect(free(l, 'ns/d')).toBe(0);
  });

  it('does nothing without limits', () => {
    const l = new ActionLimiter({}, () => {
      throw new Error('nobody to wake');
    });
    l.expect(['ns/a']);
    l.record('ns/a', graph, status({ A: running }), [], T);
    expect(l.slotsFor('ns/a', graph, status({}), T)).toBeUndefined();
  });
});

describe('ActionLimiter: rates', () => {
  it('places at most `starts` per window, and wakes the first waiter when the oldest start leaves it', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const woken: string[] = [];
      const l = new ActionLimiter({}, (k) => woken.push(k), {
        Deploy: { starts: 2, perSecs: 10 },
      });
      const at = (s: number) => new Date(T.getTime() + s * 1000);
      const slot = (key: string, s: number) =>
        l.slotsFor(key, graph, status({}), at(s))?.get('Deploy');
      expect(slot('ns/a', 0)?.free).toBe(2);
      l.record(
        'ns/a',
        graph,
        status({ A: running, B: running }),
        [{ task: 'A' }, { task: 'B' }],
        at(0),
      );
      // Both ended at once: the concurrency is free, the rate is not.
      l.record('ns/a', graph, status({}), [], at(1));
      expect(slot('ns/b', 1)).toEqual({
        free: 0,
        note: expect.stringContaining(
          'starts at most 2 times per 10s across the cluster (--action-rate)',
        ) as string,
      });
      l.record('ns/b', graph, status({ A: waiting }), [], at(1));
      expect(woken).toEqual([]);
      vi.advanceTimersByTime(9000);
      expect(woken).toEqual(['ns/b']);
      expect(slot('ns/b', 10)?.free).toBe(2);
      l.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
