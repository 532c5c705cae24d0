import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import { instancePhase } from './decide.ts';
import {
  T0,
  at,
  graphOf,
  phases,
  report,
  start,
  step,
  succeededCondition,
  task,
  worker,
} from '../../test/support/decide-fixtures.ts';

describe('decide: a chain A -> B -> C', () => {
  const graph = graphOf([task('A'), task('B', ['A']), task('C', ['B'])]);
  const workers = [worker('w1')];

  it('runs the tasks one after the other and then succeeds', () => {
    let d = step(graph, start(), workers);
    expect(d.assigned).toEqual([{ task: 'A', worker: 'w1', attempt: 1 }]);
    expect(d.status.tasks).toEqual({
      A: { phase: 'Scheduled', worker: 'w1', attempt: 1, scheduledAt: at(1).toISOString() },
    });
    expect(d.status).toMatchObject({ phase: 'Running', progress: '0/3', observedGeneration: 1 });
    expect(succeededCondition(d.status)).toMatchObject({ status: 'Unknown', reason: 'Running' });

    d = step(graph, report(d.status, 'A', 'AttemptStarted'), workers, at(2));
    expect(d.assigned).toEqual([]);
    expect(phases(d.status)).toEqual({ A: 'Running' });

    d = step(graph, report(d.status, 'A', 'AttemptSucceeded'), workers, at(3));
    expect(d.assigned).toEqual([{ task: 'B', worker: 'w1', attempt: 1 }]);
    expect(phases(d.status)).toEqual({ A: 'Succeeded', B: 'Scheduled' });
    expect(d.status.progress).toBe('1/3');

    d = step(graph, report(d.status, 'B', 'AttemptSucceeded'), workers, at(4));
    expect(d.assigned).toEqual([{ task: 'C', worker: 'w1', attempt: 1 }]);
    expect(d.status.phase).toBe('Running');
    expect(d.status.finishTime).toBeUndefined();

    d = step(graph, report(d.status, 'C', 'AttemptSucceeded'), workers, at(65));
    expect(d.assigned).toEqual([]);
    expect(d.status).toMatchObject({
      phase: 'Succeeded',
      progress: '3/3',
      startTime: T0.toISOString(),
      finishTime: at(65).toISOString(),
      duration: '1m05s',
      message: 'all 3 tasks succeeded',
    });
    expect(succeededCondition(d.status)).toEqual({
      type: 'Succeeded',
      status: 'True',
      reason: 'Succeeded',
      message: 'all 3 tasks succeeded',
      observedGeneration: 1,
      lastTransitionTime: at(65).toISOString(),
    });
  });

  it('does not mutate the status it is given', () => {
    const status = start();
    const copy = structuredClone(status);
    step(graph, status, workers);
    expect(status).toEqual(copy);
  });

  it('keeps the Succeeded condition transition time while still running', () => {
    const first = step(graph, start(), workers, at(1));
    const later = step(graph, report(first.status, 'A', 'AttemptSucceeded'), workers, at(9));
    expect(succeededCondition(later.status)?.lastTransitionTime).toBe(at(1).toISOString());
  });

  it('lets a Skipped parent unblock its child', () => {
    const always = { source: 'vars', key: 'unset', op: 'not-exists' } as const;
    const skipA = { ...task('A'), preCheck: [{ act: 'skip' as const, conditions: [always] }] };
    const d = step(graphOf([skipA, task('B', ['A']), task('C', ['B'])]), start(), workers);
    expect(phases(d.status)).toEqual({ A: 'Skipped', B: 'Scheduled' });
    expect(d.assigned.map((a) => a.task)).toEqual(['B']);
  });
});

describe('decide: a diamond A -> (B, C) -> D', () => {
  const graph = graphOf([task('A'), task('B', ['A']), task('C', ['A']), task('D', ['B', 'C'])]);
  const workers = [worker('w1'), worker('w2')];

  it('assigns B and C in the same pass and D only after both', () => {
    let d = step(graph, start(), workers);
    d = step(graph, report(d.status, 'A', 'AttemptSucceeded'), workers);
    expect(d.assigned.map((a) => a.task).sort()).toEqual(['B', 'C']);
    // Packed on A's worker, which has room for both: the instance's writes reach one worker.
    expect(new Set(d.assigned.map((a) => a.worker))).toEqual(new Set(['w1']));

    d = step(graph, report(d.status, 'B', 'AttemptSucceeded'), workers);
    expect(d.assigned).toEqual([]);
    d = step(graph, report(d.status, 'C', 'AttemptStarted'), workers);
    expect(d.assigned).toEqual([]);
    expect(d.status.tasks?.D).toBeUndefined();

    d = step(graph, report(d.status, 'C', 'AttemptSucceeded'), workers);
    expect(d.assigned.map((a) => a.task)).toEqual(['D']);
    d = step(graph, report(d.status, 'D', 'AttemptSucceeded'), workers);
    expect(d.status.phase).toBe('Succeeded');
  });

  it('never runs D when one side fails', () => {
    let d = step(graph, start(), workers);
    d = step(graph, report(d.status, 'A', 'AttemptSucceeded'), workers);
    d = step(graph, report(d.status, 'B', 'AttemptFailed', 'boom'), workers);
    expect(d.status.phase).toBe('Running');
    d = step(graph, report(d.status, 'C', 'AttemptSucceeded'), workers);
    expect(d.assigned).toEqual([]);
    expect(d.status.phase).toBe('Failed');
    expect(d.status.tasks?.D).toBeUndefined();
    expect(d.status.progress).toBe('3/4');
  });
});

describe('decide: failures and blocks', () => {
  // Two independent branches: A -> B and C -> D.
  const graph = graphOf([task('A'), task('B', ['A']), task('C'), task('D', ['C'])]);
  const workers = [worker('w1')];

  it('a failed branch does not stop an independent one; Failed only once nothing can move', () => {
    let d = step(graph, start(), workers);
    expect(d.assigned.map((a) => a.task)).toEqual(['A', 'C']);
    d = step(graph, report(d.status, 'A', 'AttemptFailed', 'disk full'), workers);
    expect(d.status.phase).toBe('Running');
    expect(d.status.finishTime).toBeUndefined();

    d = step(graph, report(d.status, 'C', 'AttemptSucceeded'), workers);
    expect(d.assigned.map((a) => a.task)).toEqual(['D']);
    expect(d.status.phase).toBe('Running');

    d = step(graph, report(d.status, 'D', 'AttemptStarted'), workers);
    expect(d.status.phase).toBe('Running');

    d = step(graph, report(d.status, 'D', 'AttemptSucceeded'), workers, at(30));
    expect(d.status).toMatchObject({
      phase: 'Failed',
      progress: '3/4',
      finishTime: at(30).toISOString(),
      duration: '30.0s',
      message: 'task A failed: disk full',
    });
    expect(d.status.tasks?.B).toBeUndefined();
    expect(succeededCondition(d.status)).toMatchObject({ status: 'False', reason: 'TaskFailed' });
  });

  it('stays Running while a ready task waits for a worker, even with a failure elsewhere', () => {
    const mixed = graphOf([task('A'), task('C', [], 'Rare')]);
    const status: DagInstanceStatus = { ...start(), tasks: { A: { phase: 'Failed', attempt: 1 } } };
    const d = step(mixed, status, workers);
    expect(d.status.phase).toBe('Running');
    expect(d.waitingFor).toEqual(['Rare']);
  });

  const permutations = <T>(items: readonly T[]): T[][] =>
    items.length <= 1
      ? [[...items]]
      : items.flatMap((x, i) =>
          permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]),
        );

  const mixedTasks = [task('x'), task('y'), task('xc', ['x']), task('yc', ['y']), task('ok')];
  it.each(permutations(mixedTasks).map((order) => [order.map((t) => t.id).join(','), order]))(
    '§13.11 failed + blocked is Failed whatever the spec order (%s)',
    (_, order) => {
      const graph = graphOf(order);
      const status: DagInstanceStatus = {
        ...start(),
        tasks: {
          x: { phase: 'Failed', worker: 'w1', attempt: 1, message: 'bad' },
          y: { phase: 'Blocked', worker: 'w1', attempt: 1 },
          ok: { phase: 'Succeeded', worker: 'w1', attempt: 1 },
        },
      };
      const d = step(graph, status, workers);
      expect(d.assigned).toEqual([]);
      expect(d.status.phase).toBe('Failed');
      expect(d.status.progress).toBe('2/5');
    },
  );

  it.each([
    {
      name: 'blocked alone',
      given: { x: 'Blocked', y: 'Succeeded', yc: 'Succeeded', ok: 'Succeeded' },
      expected: 'Blocked',
    },
    {
      name: 'canceled',
      given: { x: 'Canceled', y: 'Succeeded', yc: 'Succeeded', ok: 'Skipped' },
      expected: 'Canceled',
    },
    {
      name: 'blocked while another runs',
      given: { x: 'Blocked', y: 'Succeeded', yc: 'Running', ok: 'Succeeded' },
      expected: 'Running',
    },
    {
      name: 'failed while another retries',
      given: { x: 'Failed', y: 'Retrying', ok: 'Succeeded' },
      expected: 'Running',
    },
    {
      name: 'all skipped',
      given: { x: 'Skipped', y: 'Skipped', xc: 'Skipped', yc: 'Skipped', ok: 'Skipped' },
      expected: 'Succeeded',
    },
  ] as const)('instance is $expected when $name', ({ given, expected }) => {
    // A Retrying task waits for its backoff, here well into the future.
    const retryAt = at(3600).toISOString();
    const tasks = Object.fromEntries(
      Object.entries(given).map(([id, phase]) => [
        id,
        { phase, worker: 'w1', attempt: 1, ...(phase === 'Retrying' ? { retryAt } : {}) },
      ]),
    );
    const d = step(graphOf(mixedTasks), { ...start(), tasks }, [worker('w1')]);
    expect(d.assigned).toEqual([]);
    expect(d.status.phase).toBe(expected);
  });
});

describe('instancePhase', () => {
  it.each([
    { phases: [], waiting: false, phase: 'Succeeded' },
    { phases: ['Succeeded', 'Skipped'], waiting: false, phase: 'Succeeded' },
    { phases: ['Succeeded', 'Pending'], waiting: true, phase: 'Running' },
    { phases: ['Scheduled', 'Failed'], waiting: false, phase: 'Running' },
    { phases: ['Failed', 'Pending'], waiting: false, phase: 'Failed' },
    { phases: ['Blocked', 'Failed'], waiting: false, phase: 'Failed' },
    { phases: ['Failed', 'Blocked'], waiting: false, phase: 'Failed' },
    { phases: ['Blocked', 'Pending'], waiting: false, phase: 'Blocked' },
    { phases: ['Canceled'], waiting: false, phase: 'Canceled' },
    { phases: ['Canceled', 'Failed'], waiting: false, phase: 'Failed' },
    { phases: ['Canceled', 'Blocked'], waiting: false, phase: 'Canceled' },
    { phases: ['Pending'], waiting: false, phase: 'Running' },
  ])('$phases (waiting: $waiting) -> $phase', ({ phases: list, waiting, phase }) => {
    expect(instancePhase(list, waiting)).toBe(phase);
  });
});
