import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import { decide } from './decide.ts';
import {
  T0,
  at,
  decideOnce,
  graphOf,
  start,
  step,
  task,
  worker,
} from '../../test/support/decide-fixtures.ts';

describe('decide: status bookkeeping', () => {
  it('omits observedGeneration when the generation is unknown', () => {
    const graph = graphOf([task('A')]);
    const d = decide({
      graph,
      status: start(),
      workers: [worker('w1')],
      generation: undefined,
      now: at(1),
    });
    expect(d.status.observedGeneration).toBeUndefined();
  });

  it('keeps status fields it does not own', () => {
    const graph = graphOf([task('A')]);
    const status: DagInstanceStatus = { ...start(), dagRevision: 'rev-7' };
    const d = step(graph, status, [worker('w1')]);
    expect(d.status.dagRevision).toBe('rev-7');
    expect(d.status.startTime).toBe(T0.toISOString());
  });

  it('keeps the finish time of a finished instance when decided again later', () => {
    const graph = graphOf([task('A')]);
    const status: DagInstanceStatus = {
      ...start(),
      tasks: { A: { phase: 'Succeeded', worker: 'w1', attempt: 1 } },
    };
    const done = step(graph, status, [worker('w1')], at(10));
    expect(done.status).toMatchObject({
      phase: 'Succeeded',
      finishTime: at(10).toISOString(),
      duration: '10.0s',
    });
    // A repeated pass (after a crash, a resync) comes later; nothing may change.
    const again = decideOnce(graph, done.status, [worker('w1')], at(3600));
    expect(again.assigned).toEqual([]);
    expect(again.status).toEqual(done.status);
  });

  it('a running instance has no finish time, even after having failed before', () => {
    const graph = graphOf([task('A')]);
    const failed = step(
      graph,
      { ...start(), tasks: { A: { phase: 'Failed', worker: 'w1', attempt: 1, message: 'x' } } },
      [worker('w1')],
      at(10),
    );
    expect(failed.status).toMatchObject({ phase: 'Failed', finishTime: at(10).toISOString() });
    const retried: DagInstanceStatus = {
      ...failed.status,
      tasks: { A: { phase: 'Retrying', worker: 'w1', attempt: 1 } },
    };
    const d = step(graph, retried, [worker('w1')], at(20));
    expect(d.status.phase).toBe('Running');
    expect(d.status.finishTime).toBeUndefined();
    expect(d.status.duration).toBeUndefined();
  });

  it('ignores status entries of tasks that are not in the graph', () => {
    const graph = graphOf([task('A')]);
    const status: DagInstanceStatus = {
      ...start(),
      tasks: { ghost: { phase: 'Failed' }, A: { phase: 'Succeeded', attempt: 1 } },
    };
    const d = step(graph, status, [worker('w1')]);
    expect(d.status.phase).toBe('Succeeded');
    expect(d.status.progress).toBe('1/1');
  });
});
