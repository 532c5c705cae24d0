import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../api/dag.ts';
import { DagInstanceStatus } from '../../api/dag-instance.ts';
import type { LoopSpec } from '../../api/grown-tasks.ts';
import type { DagGraph } from '../graph.ts';
import {
  at,
  failure,
  graphOf,
  report,
  start,
  step,
  succeedAssigned,
  task,
  worker,
} from '../../../test/support/decide-fixtures.ts';

// type: loop through decide(): the body runs as step#1, step#2, … and the
// while condition is evaluated once an iteration is done, in the same pass.

const workers = [worker('w1', ['Print'], 10)];
const loopDag = (loop: Partial<LoopSpec> = {}): DagGraph =>
  graphOf([
    task('before'),
    {
      id: 'poll',
      type: 'loop',
      dependOn: ['before'],
      loop: { body: ['check', 'note'], while: 'iteration < 3', maxIterations: 5, ...loop },
    } satisfies TaskSpec,
    task('check'),
    task('note', ['check']),
    task('after', ['poll']),
  ]);

/** Runs assigned tasks to success (output: the key) until the loop ends or `passes` run out. */
const run = (graph: DagGraph, passes = 30) =>
  succeedAssigned(graph, step(graph, start(), workers, at(1)), workers, 2, passes);

/** The pass after `before` succeeded: iteration 1 has started. */
function loopStarted(graph: DagGraph) {
  const first = step(graph, start(), workers, at(1));
  const s = report(report(first.status, 'before', 'AttemptStarted'), 'before', 'AttemptSucceeded');
  return step(graph, s, workers, at(2));
}

describe('a loop', () => {
  it('lists a body output kept by reference by its name, as a fan-out lists a copy', () => {
    const graph = loopDag({ while: 'iteration < 1' });
    let d = loopStarted(graph);
    for (let i = 3; d.assigned.length > 0 && i < 20; i++) {
      let s = d.status;
      for (const a of d.assigned) {
        s = report(report(s, a.task, 'AttemptStarted'), a.task, 'AttemptSucceeded');
        const kept = a.task === 'note#1' ? { outputRef: 'run-dnote-1' } : { output: a.task };
        const done = { ...s.tasks?.[a.task], phase: 'Succeeded' as const, ...kept };
        s = { ...s, tasks: { ...s.tasks, [a.task]: done } };
      }
      d = step(graph, s, workers, at(i));
    }
    expect(d.status.tasks?.['poll']?.output).toEqual({
      iteration: 1,
      outputs: { check: 'check#1', note: { outputRef: 'run-dnote-1' } },
    });
  });

  it('runs its body first, then while it holds; keys step#n; output the last iteration', () => {
    const d = run(loopDag());
    expect(d.status.phase).toBe('Succeeded');
    expect(d.status.tasks?.['poll']).toMatchObject({
      phase: 'Succeeded',
      iteration: 3,
      output: { iteration: 3, outputs: { check: 'check#3', note: 'note#3' } },
    });
    // The latest iteration's entries read under the body ids.
    expect(d.status.tasks?.['note']).toMatchObject({ phase: 'Succeeded', output: 'note#3' });
    expect(d.status.tasks?.['note']?.worker).toBeUndefined();
    for (const i of [1, 2, 3]) expect(d.status.tasks?.[`note#${i}`]?.phase).toBe('Succeeded');
    expect(d.status.tasks?.['note#4']).toBeUndefined();
    expect(DagInstanceStatus.safeParse(d.status).success).toBe(true);
  });

  it('body tasks of one iteration run parents first; the body never runs under its own id', () => {
    const d = loopStarted(loopDag());
    expect(d.assigned.map((a) => a.task)).toEqual(['check#1']);
    expect(d.status.tasks?.['poll']).toMatchObject({ phase: 'Running', iteration: 1 });
  });

  it('reaching maxIterations with while still true fails LoopLimitReached', () => {
    const d = run(loopDag({ while: 'true', maxIterations: 2 }));
    expect(d.status.tasks?.['poll']).toMatchObject({ phase: 'Failed', reason: 'LoopLimitReached' });
    expect(d.status.phase).toBe('Failed');
  });

  it('keepLast: older iterations leave status and are counted', () => {
    const d = run(loopDag({ while: 'iteration < 5', maxIterations: 9, keepLast: 2 }));
    expect(d.status.tasks?.['poll']).toMatchObject({ iteration: 5, iterationsDropped: 3 });
    expect(
      Object.keys(d.status.tasks ?? {})
        .filter((k) => k.startsWith('check#'))
        .sort(),
    ).toEqual(['check#4', 'check#5']);
  });

  it('while reads iteration, vars and the latest body outputs', () => {
    const d = run(loopDag({ while: 'tasks.check.output != "check#2"' }));
    expect(d.status.tasks?.['poll']).toMatchObject({ phase: 'Succeeded', iteration: 2 });
  });

  it('a body task that fails for good fails the loop', () => {
    const graph = loopDag();
    const d = loopStarted(graph);
    const failed = failure(report(d.status, 'check#1', 'AttemptStarted'), 'check#1');
    const e = step(graph, failed, workers, at(3));
    expect(e.status.tasks?.['poll']).toMatchObject({ phase: 'Failed', reason: 'GrownTaskFailed' });
    expect(e.status.tasks?.['poll']?.message).toContain('iteration 1: check#1 failed');
    expect(e.status.phase).toBe('Failed');
  });
});

describe('operations on a loop', () => {
  it('a cancel naming the loop cancels its iteration under way and ends the instance', () => {
    const graph = loopDag();
    const d = loopStarted(graph);
    const c = step(graph, d.status, workers, at(3), {
      annotations: { 'fastflow.io/cancel': '1:poll' },
    });
    expect(c.status.tasks?.['poll']?.phase).toBe('Canceled');
    expect(c.status.tasks?.['check#1']?.phase).toBe('Canceled');
    expect(c.status.phase).toBe('Canceled');
  });

  it('a retry naming a failed loop goes on from its iteration', () => {
    const graph = loopDag();
    const d = loopStarted(graph);
    const failed = step(
      graph,
      failure(report(d.status, 'check#1', 'AttemptStarted'), 'check#1'),
      workers,
      at(3),
    );
    expect(failed.status.tasks?.['poll']?.phase).toBe('Failed');
    const r = step(graph, failed.status, workers, at(4), {
      annotations: { 'fastflow.io/retry': '1:poll' },
    });
    expect(r.status.tasks?.['poll']).toMatchObject({ phase: 'Running', iteration: 1, attempt: 2 });
    expect(r.assigned.map((a) => `${a.task}@${a.attempt}`)).toEqual(['check#1@2']);
  });
});
