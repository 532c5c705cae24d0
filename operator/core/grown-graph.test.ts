import { describe, expect, it } from 'vitest';
import { graphOf, task } from '../../test/support/decide-fixtures.ts';
import type { TaskStatus } from '../api/dag-instance.ts';
import {
  baseIdOf,
  grownByBase,
  listingOrder,
  loopBody,
  loopOf,
  parseGrownKey,
  specOf,
} from './grown-graph.ts';

describe('grown keys', () => {
  it('parse back to the Dag task they derive from', () => {
    expect(parseGrownKey('resize[12]')).toEqual({ key: 'resize[12]', base: 'resize', copy: 12 });
    expect(parseGrownKey('step#3')).toEqual({ key: 'step#3', base: 'step', iteration: 3 });
    for (const own of ['step', 'a[01]', 'a#0', 'a[x]', 'deploy/child']) {
      expect(parseGrownKey(own), own).toBeUndefined();
    }
    expect(baseIdOf('a.b-c[0]')).toBe('a.b-c');
  });

  it('run the spec of their task; a copy without forEach', () => {
    const fan = { ...task('fan'), forEach: { items: '[1]' } };
    const graph = graphOf([fan, task('step')]);
    expect(specOf(graph, 'fan')).toBe(fan);
    expect(specOf(graph, 'fan[0]')).toEqual(task('fan'));
    expect(specOf(graph, 'fan[0]')).toBe(specOf(graph, 'fan[1]'));
    expect(specOf(graph, 'step#2')).toEqual(task('step'));
    expect(specOf(graph, 'ghost[0]')).toBeUndefined();
  });

  it('a loop knows its body, parents first; a body task knows its loop', () => {
    const graph = graphOf([
      { id: 'l', type: 'loop', loop: { body: ['b', 'a'], while: 'false', maxIterations: 1 } },
      task('a'),
      task('b', ['a']),
    ]);
    expect(loopBody(graph, 'l')).toEqual(['a', 'b']);
    expect(loopOf(graph, 'b')).toBe('l');
    expect(loopOf(graph, 'l')).toBeUndefined();
  });

  it('list each task followed by what it grew, in number order', () => {
    const tasks = { 'x[10]': { phase: 'Pending' as const }, 'x[9]': { phase: 'Pending' as const } };
    expect(listingOrder(['x', 'y'], { ...tasks, zzz: { phase: 'Pending' } })).toEqual([
      'x',
      'x[9]',
      'x[10]',
      'y',
      'zzz',
    ]);
  });

  it('group 10,000 grown keys by their task, each in number order', () => {
    const tasks: Record<string, TaskStatus> = { fan: { phase: 'Running' } };
    // Inserted from the highest number down, iterations and copies interleaved.
    for (let i = 5000; i >= 1; i--) {
      tasks[`fan[${i - 1}]`] = { phase: 'Pending' };
      tasks[`step#${i}`] = { phase: 'Pending' };
    }
    const byBase = grownByBase(tasks);
    expect([...byBase.keys()].sort()).toEqual(['fan', 'step']);
    expect(byBase.get('fan')).toEqual(Array.from({ length: 5000 }, (_, i) => `fan[${i}]`));
    expect(byBase.get('step')).toEqual(Array.from({ length: 5000 }, (_, i) => `step#${i + 1}`));
  });
});
