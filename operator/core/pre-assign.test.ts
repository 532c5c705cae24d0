import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus, TaskStatus } from '../api/dag-instance.ts';
import { at, graphOf, start, step, task, worker } from '../../test/support/decide-fixtures.ts';
import { foldResults } from './fold-results.ts';
import { MAX_WAITING_STEPS, preAssignmentGate, waitingSteps } from './pre-assign.ts';
import { shouldRetry } from './retry.ts';

const chain = graphOf([task('a'), task('b', ['a']), task('c', ['b']), task('d', ['c'])]);
const workers = [worker('w1'), worker('w2')];
const L2 = { chainLookAhead: 2 };

/** The worker's report on its attempt, folded as the operator folds it (fenced, gated). */
function fold(
  status: DagInstanceStatus,
  w: string,
  key: string,
  phase: 'Running' | 'Succeeded' | 'Failed',
): DagInstanceStatus {
  const { tasks } = foldResults(status.tasks ?? {}, [{ worker: w, results: { [key]: { phase } } }]);
  return { ...status, tasks };
}

describe('pre-assigning chains', () => {
  it('pre-assigns the next `chainLookAhead` steps to the worker of the task it assigns', () => {
    const d = step(chain, start(), workers, at(1), L2);
    expect(d.status.tasks?.['a']).toMatchObject({ phase: 'Scheduled', worker: 'w1', attempt: 1 });
    expect(d.status.tasks?.['b']).toMatchObject({
      phase: 'Scheduled',
      worker: 'w1',
      attempt: 1,
      after: 'a@1',
    });
    expect(d.status.tasks?.['c']).toMatchObject({ phase: 'Scheduled', worker: 'w1', after: 'b@1' });
    expect(d.status.tasks?.['d']).toBeUndefined();
    expect(d.assigned.map((x) => x.task)).toEqual(['a', 'b', 'c']);
    // Off with 0: plain assignment, one step at a time.
    expect(Object.keys(step(chain, start(), workers, at(1)).status.tasks ?? {})).toEqual(['a']);
  });

  it('gives every chain its next step before any a deeper one, up to MAX_WAITING_STEPS in the instance', () => {
    const chains = ['x', 'y', 'z'].flatMap((c) =>
      Array.from({ length: 40 }, (_, i) => task(`${c}${i}`, i === 0 ? [] : [`${c}${i - 1}`])),
    );
    const d = step(graphOf(chains), start(), workers, at(1), { chainLookAhead: 30 });
    const tasks = d.status.tasks ?? {};
    expect(waitingSteps(tasks)).toBe(MAX_WAITING_STEPS);
    const depth = (c: string): number =>
      Object.entries(tasks).filter(([id, t]) => id.startsWith(c) && t.after).length;
    // 64 = 22 + 21 + 21: shared, not the first chain's 30 and what is left for the others.
    expect(['x', 'y', 'z'].map(depth).sort()).toEqual([21, 21, 22]);
  });

  it('extends the run as its head moves: one more step once the parent has succeeded', () => {
    let s = step(chain, start(), workers, at(1), L2).status;
    s = fold(s, 'w1', 'a@1', 'Succeeded');
    s = fold(s, 'w1', 'b@1', 'Running');
    // b's report folds only behind a's success, and drops `after`.
    expect(s.tasks?.['b']).toMatchObject({ phase: 'Running' });
    expect(s.tasks?.['b']?.after).toBeUndefined();
    const d = step(chain, s, workers, at(2), L2);
    expect(d.status.tasks?.['d']).toMatchObject({ phase: 'Scheduled', worker: 'w1', after: 'c@1' });
  });

  it("holds a step's report until its parent's result is folded, whatever their order", () => {
    const s = step(chain, start(), workers, at(1), L2).status;
    const early = foldResults(s.tasks ?? {}, [
      { worker: 'w1', results: { 'b@1': { phase: 'Running' } } },
    ]);
    expect(early.outcomes[0]?.outcome).toBe('held');
    expect(early.tasks['b']?.phase).toBe('Scheduled');
    // One TaskResult carrying both, the child's entry first: the parent folds first.
    const both = foldResults(s.tasks ?? {}, [
      { worker: 'w1', results: { 'b@1': { phase: 'Running' }, 'a@1': { phase: 'Succeeded' } } },
    ]);
    expect(both.tasks['a']?.phase).toBe('Succeeded');
    expect(both.tasks['b']?.phase).toBe('Running');
  });

  it('voids the steps behind a parent that failed: Pending, the attempt number spent but not counted', () => {
    let s = step(chain, start(), workers, at(1), L2).status;
    s = fold(s, 'w1', 'a@1', 'Failed');
    // The step's report, were one written, is stale once the gate has closed.
    expect(preAssignmentGate(s.tasks ?? {}, s.tasks?.['b'] as TaskStatus)).toBe('closed');
    const d = step(chain, s, workers, at(2), L2);
    for (const id of ['b', 'c']) {
      expect(d.status.tasks?.[id]).toMatchObject({
        phase: 'Pending',
        attempt: 1,
        voided: 1,
        reason: 'PreAssignmentVoided',
      });
      expect(d.status.tasks?.[id]?.worker).toBeUndefined();
    }
    expect(d.status.phase).toBe('Failed');
    // Placed again later, it gets the next number; a failure of that one may still retry.
    const retried = {
      ...(d.status.tasks?.['b'] as TaskStatus),
      phase: 'Failed' as const,
      attempt: 2,
    };
    expect(shouldRetry({ limit: 1 }, retried)).toBe(true);
  });

  it("voids the steps behind a lost worker's task, and pre-assigns them behind its next attempt", () => {
    const s = step(chain, start(), workers, at(1), L2).status;
    const d = step(chain, s, [worker('w2')], at(2), L2);
    expect(d.status.tasks?.['a']).toMatchObject({ phase: 'Scheduled', worker: 'w2', attempt: 2 });
    expect(d.status.tasks?.['b']).toMatchObject({
      phase: 'Scheduled',
      worker: 'w2',
      attempt: 2,
      voided: 1,
      after: 'a@2',
    });
    expect(d.status.tasks?.['c']).toMatchObject({ worker: 'w2', attempt: 2, after: 'b@2' });
    expect(d.status.tasks?.['b']?.history).toBeUndefined();
  });

  it('stops at a fan-out, a join with another unfinished parent, a share-data check, a vars check that holds, or a missing action', () => {
    const fan = graphOf([task('a'), task('b', ['a']), task('c', ['a'])]);
    expect(Object.keys(step(fan, start(), workers, at(1), L2).status.tasks ?? {})).toEqual(['a']);
    const join = graphOf([task('a'), task('x'), task('j', ['a', 'x'])]);
    expect(step(join, start(), workers, at(1), L2).status.tasks?.['j']).toBeUndefined();
    const checked = (source: 'vars' | 'share-data') =>
      graphOf([
        task('a'),
        {
          ...task('b', ['a']),
          preCheck: [
            { act: 'skip' as const, conditions: [{ source, key: 'k', op: 'exists' as const }] },
          ],
        },
      ]);
    expect(
      step(checked('share-data'), start(), workers, at(1), L2).status.tasks?.['b'],
    ).toBeUndefined();
    expect(
      step(checked('vars'), start(), workers, at(1), { ...L2, vars: { k: 'v' } }).status.tasks?.[
        'b'
      ],
    ).toBeUndefined();
    // A vars check that does not hold is decided now: the step is pre-assigned.
    expect(step(checked('vars'), start(), workers, at(1), L2).status.tasks?.['b']?.after).toBe(
      'a@1',
    );
    const other = graphOf([task('a'), task('b', ['a'], 'Other')]);
    expect(
      step(other, start(), [worker('w1'), worker('w2', ['Other'])], at(1), L2).status.tasks?.['b'],
    ).toBeUndefined();
  });

  it('pre-assigns behind a join whose other parents have finished', () => {
    const join = graphOf([task('a'), task('x'), task('j', ['a', 'x'])]);
    const status: DagInstanceStatus = {
      ...start(),
      tasks: { x: { phase: 'Succeeded', worker: 'w2', attempt: 1 } },
    };
    const d = step(join, status, workers, at(1), L2);
    expect(d.status.tasks?.['j']).toMatchObject({
      phase: 'Scheduled',
      worker: d.status.tasks?.['a']?.worker,
      after: 'a@1',
    });
  });

  it('keeps a join on the worker of the parent whose only child it is (chain affinity, same rule)', () => {
    const graph = graphOf([task('a'), task('x'), task('y', ['x']), task('j', ['a', 'x'])]);
    const done = (w: string): TaskStatus => ({ phase: 'Succeeded', worker: w, attempt: 1 });
    const status: DagInstanceStatus = {
      ...start(),
      tasks: { a: done('w2'), x: done('w1'), y: done('w1') },
    };
    // w1 would win the tie by name; j is a's only child, so it stays on a's worker.
    expect(step(graph, status, workers, at(1)).status.tasks?.['j']?.worker).toBe('w2');
  });

  it('pre-assigns nothing while the instance is paused: the steps waiting go back to Pending until resumed', () => {
    const s = step(chain, start(), workers, at(1), L2).status;
    const pause = { 'fastflow.io/pause': 'p1' };
    const paused = step(chain, s, workers, at(2), { ...L2, annotations: pause });
    expect(paused.status.tasks?.['a']?.phase).toBe('Scheduled');
    expect(paused.status.tasks?.['b']).toMatchObject({ phase: 'Pending', voided: 1 });
    expect(paused.status.tasks?.['b']?.message).toContain('paused');
    const resume = { ...pause, 'fastflow.io/resume': 'r1' };
    const resumed = step(chain, paused.status, workers, at(3), { ...L2, annotations: resume });
    expect(resumed.status.tasks?.['b']).toMatchObject({
      phase: 'Scheduled',
      attempt: 2,
      after: 'a@1',
    });
  });

  it('lets a skip take a step waiting behind its parent: it has not run', () => {
    const s = step(chain, start(), workers, at(1), L2).status;
    const d = step(chain, s, workers, at(2), {
      ...L2,
      annotations: { 'fastflow.io/skip': 's1:b' },
    });
    expect(d.status.operations?.skip?.result).toBe('Applied');
    expect(d.status.tasks?.['b']).toMatchObject({ phase: 'Skipped', reason: 'SkipRequested' });
  });

  it("drops `after` in the pass that sees the parent's success, and reads a parent moved into a shard", () => {
    let s = step(chain, start(), workers, at(1), L2).status;
    s = fold(s, 'w1', 'a@1', 'Succeeded');
    const d = step(chain, s, workers, at(2), L2);
    expect(d.status.tasks?.['b']).toMatchObject({ phase: 'Scheduled', worker: 'w1', attempt: 1 });
    expect(d.status.tasks?.['b']?.after).toBeUndefined();
    // A sharded parent is a stub (phase, attempt): the gate still opens.
    const stub: TaskStatus = { phase: 'Succeeded', attempt: 1 };
    expect(preAssignmentGate({ a: stub }, s.tasks?.['b'] as TaskStatus)).toBe('open');
  });
});
