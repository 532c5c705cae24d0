import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import type { Decision } from './decide.ts';
import {
  T0,
  at,
  decideOnce,
  graphOf,
  report,
  start,
  step,
  succeededCondition,
  task,
  worker,
} from '../../test/support/decide-fixtures.ts';
import type { DagGraph } from './graph.ts';
import type { WorkerView } from './worker-pool.ts';

describe('decide: workers', () => {
  it('keeps a task Pending while no live worker has its action, then assigns it', () => {
    const graph = graphOf([
      task('A', [], 'Print'),
      task('B', [], 'Upload'),
      task('C', ['B'], 'Print'),
    ]);
    const printer = worker('printer', ['Print']);
    let d = step(graph, start(), [printer]);
    expect(d.assigned).toEqual([{ task: 'A', worker: 'printer', attempt: 1 }]);
    expect(d.waitingFor).toEqual(['Upload']);
    expect(d.status.tasks?.B).toEqual({
      phase: 'Pending',
      reason: 'NoWorkerForAction',
      message: 'waiting for a live worker with action "Upload"',
    });
    expect(d.status.phase).toBe('Running');
    expect(d.status.message).toContain('"Upload"');
    expect(succeededCondition(d.status)).toMatchObject({
      status: 'Unknown',
      reason: 'WaitingForWorker',
    });

    // A finishing does not end the instance while B waits.
    d = step(graph, report(d.status, 'A', 'AttemptSucceeded'), [printer]);
    expect(d.status.phase).toBe('Running');
    expect(d.waitingFor).toEqual(['Upload']);

    const uploader = worker('uploader', ['Upload']);
    d = step(graph, d.status, [printer, uploader]);
    expect(d.assigned).toEqual([{ task: 'B', worker: 'uploader', attempt: 1 }]);
    expect(d.waitingFor).toEqual([]);
    expect(d.status.tasks?.B).toEqual({
      phase: 'Scheduled',
      worker: 'uploader',
      attempt: 1,
      scheduledAt: at(1).toISOString(),
    });
    expect(succeededCondition(d.status)?.reason).toBe('Running');
  });

  it('waits with no workers at all', () => {
    const d = step(graphOf([task('A')]), start(), []);
    expect(d.assigned).toEqual([]);
    expect(d.status.tasks?.A?.reason).toBe('NoWorkerForAction');
    expect(d.status.phase).toBe('Running');
  });

  it.each(['Scheduled', 'Running'] as const)(
    'reassigns a task %s on a lost worker with the next attempt',
    (phase) => {
      const graph = graphOf([task('A'), task('B', ['A'])]);
      const status: DagInstanceStatus = {
        ...start(),
        tasks: {
          A: {
            phase,
            worker: 'gone',
            attempt: 2,
            scheduledAt: T0.toISOString(),
            startedAt: T0.toISOString(),
          },
        },
      };
      const d = step(graph, status, [worker('alive')]);
      expect(d.assigned).toEqual([{ task: 'A', worker: 'alive', attempt: 3 }]);
      expect(d.status.tasks?.A).toEqual({
        phase: 'Scheduled',
        worker: 'alive',
        attempt: 3,
        scheduledAt: at(1).toISOString(),
        message: 'worker gone was lost during attempt 2',
        // The lost attempt is kept in the task's history.
        history: [
          {
            attempt: 2,
            phase: 'Failed',
            worker: 'gone',
            startedAt: T0.toISOString(),
            reason: 'WorkerLost',
            message: 'worker gone was lost',
          },
        ],
      });
      expect(d.status.tasks?.B).toBeUndefined();
    },
  );

  it('leaves a task on a live worker alone', () => {
    const graph = graphOf([task('A')]);
    const status: DagInstanceStatus = {
      ...start(),
      tasks: { A: { phase: 'Running', worker: 'w1', attempt: 4 } },
    };
    const d = step(graph, status, [worker('w1'), worker('w0')]);
    expect(d.assigned).toEqual([]);
    expect(d.status.tasks?.A).toEqual({ phase: 'Running', worker: 'w1', attempt: 4 });
  });

  it('keeps the attempt count of a lost task that no live worker can take, then moves it on', () => {
    const graph = graphOf([task('A', [], 'Rare')]);
    const status: DagInstanceStatus = {
      ...start(),
      tasks: { A: { phase: 'Running', worker: 'gone', attempt: 1 } },
    };
    let d = step(graph, status, [worker('w1', ['Print'])]);
    expect(d.assigned).toEqual([]);
    expect(d.status.tasks?.A).toEqual({
      phase: 'Pending',
      attempt: 1,
      reason: 'NoWorkerForAction',
      message:
        'waiting for a live worker with action "Rare"; worker gone was lost during attempt 1',
      history: [
        {
          attempt: 1,
          phase: 'Failed',
          worker: 'gone',
          reason: 'WorkerLost',
          message: 'worker gone was lost',
        },
      ],
    });
    expect(d.status.phase).toBe('Running');

    // Still nobody: nothing changes, in particular not the attempt.
    d = step(graph, d.status, [worker('w1', ['Print'])], at(50));
    expect(d.status.tasks?.A?.attempt).toBe(1);

    d = step(graph, d.status, [worker('w1', ['Print']), worker('w2', ['Rare'])], at(60));
    expect(d.assigned).toEqual([{ task: 'A', worker: 'w2', attempt: 2 }]);
    expect(d.status.tasks?.A).toMatchObject({
      phase: 'Scheduled',
      worker: 'w2',
      attempt: 2,
      message: 'worker gone was lost during attempt 1',
    });
    expect(d.status.tasks?.A?.reason).toBeUndefined();
  });

  it('names the lost worker from the attempt recorded in history, not from the message', () => {
    const graph = graphOf([task('A')]);
    const lost = { attempt: 1, phase: 'Failed', worker: 'gone', reason: 'WorkerLost' } as const;
    const waiting = { phase: 'Pending', attempt: 1, reason: 'NoWorkerForAction' } as const;
    const after = (tasks: DagInstanceStatus['tasks']): DagInstanceStatus =>
      step(graph, { ...start(), tasks }, [worker('w1')]).status;
    expect(after({ A: { ...waiting, message: 'edited', history: [lost] } }).tasks?.A?.message).toBe(
      'worker gone was lost during attempt 1',
    );
    // A failure after the loss, or a later attempt, is not the lost one.
    const failed = { ...lost, attempt: 2, reason: 'ActionFailed' } as const;
    expect(
      after({ A: { ...waiting, attempt: 2, history: [lost, failed] } }).tasks?.A?.message,
    ).toBeUndefined();
    const later = after({ A: { ...waiting, attempt: 2, history: [lost] } });
    expect(later.tasks?.A?.message).toBeUndefined();
  });

  it('does not touch finished tasks of lost workers', () => {
    const graph = graphOf([task('A'), task('B', ['A'])]);
    const status: DagInstanceStatus = {
      ...start(),
      tasks: { A: { phase: 'Succeeded', worker: 'gone', attempt: 1 } },
    };
    const d = step(graph, status, [worker('w1')]);
    expect(d.assigned).toEqual([{ task: 'B', worker: 'w1', attempt: 1 }]);
    expect(d.status.tasks?.A).toEqual({ phase: 'Succeeded', worker: 'gone', attempt: 1 });
  });

  const fanOut = (n: number, action: (i: number) => string): DagGraph =>
    graphOf([
      task('root'),
      ...Array.from({ length: n }, (_, i) => task(`leaf-${i}`, ['root'], action(i))),
    ]);
  const afterRoot = (graph: DagGraph, workers: WorkerView[]): Decision => {
    const first = decideOnce(graph, start(), workers, at(1));
    return step(graph, report(first.status, 'root', 'AttemptSucceeded'), workers, at(2));
  };
  const perWorker = (d: Decision): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const a of d.assigned) counts[a.worker] = (counts[a.worker] ?? 0) + 1;
    return counts;
  };

  it('§13.19 spreads a wide fan-out evenly over equal workers', () => {
    const workers = ['w1', 'w2', 'w3', 'w4'].map((n) => worker(n, ['Print'], 8));
    const d = afterRoot(
      fanOut(100, () => 'Print'),
      workers,
    );
    expect(d.assigned).toHaveLength(100);
    expect(perWorker(d)).toEqual({ w1: 25, w2: 25, w3: 25, w4: 25 });
    expect(d.status.progress).toBe('1/101');
  });

  it('spreads a fan-out of two actions over the workers that have them', () => {
    const workers = [
      worker('a1', ['A']),
      worker('a2', ['A']),
      worker('b1', ['B']),
      worker('b2', ['B', 'Print']),
    ];
    const graph = graphOf([
      task('root', [], 'B'),
      ...Array.from({ length: 100 }, (_, i) => task(`leaf-${i}`, ['root'], i % 2 ? 'A' : 'B')),
    ]);
    const d = afterRoot(graph, workers);
    expect(d.assigned).toHaveLength(100);
    for (const a of d.assigned) {
      const action = graph.tasks.get(a.task)?.actionName as string;
      expect(workers.find((w) => w.name === a.worker)?.actions.has(action)).toBe(true);
    }
    expect(perWorker(d)).toEqual({ a1: 25, a2: 25, b1: 25, b2: 25 });
  });

  it('takes current load and capacity into account', () => {
    const workers = [worker('busy', ['Print'], 10, 10), worker('idle', ['Print'], 10, 0)];
    const d = afterRoot(
      fanOut(20, () => 'Print'),
      workers,
    );
    // 30 tasks in all over two equal workers: busy gets 5 more, idle 15.
    expect(perWorker(d)).toEqual({ busy: 5, idle: 15 });

    const sized = [worker('small', ['Print'], 1), worker('large', ['Print'], 3)];
    const e = afterRoot(
      fanOut(100, () => 'Print'),
      sized,
    );
    expect(perWorker(e)).toEqual({ small: 25, large: 75 });
  });

  it('breaks ties deterministically whatever order the workers come in', () => {
    const graph = fanOut(10, () => 'Print');
    const names = ['w3', 'w1', 'w2'];
    const a = afterRoot(
      graph,
      names.map((n) => worker(n)),
    );
    const b = afterRoot(
      graph,
      [...names].reverse().map((n) => worker(n)),
    );
    expect(b.assigned).toEqual(a.assigned);
    expect(a.assigned[0]?.worker).toBe('w1');
  });

  it("keeps a chain step, and a wave, on its parent's worker while it has room", () => {
    const workers = [worker('w1', ['Print'], 1), worker('w2', ['Print'], 1)];
    const graph = graphOf([task('a'), task('b', ['a']), task('c', ['a']), task('d', ['b'])]);
    // a ran on w2: b and c are a fan-out (w2 while it has room), d is b's only child.
    const ran = { phase: 'Succeeded' as const, worker: 'w2', attempt: 1 };
    const plain = { chainLookAhead: 0 };
    const fanout = decideOnce(graph, { ...start(), tasks: { a: ran } }, workers, at(1), plain);
    expect(fanout.assigned.map((x) => [x.task, x.worker])).toEqual([
      ['b', 'w2'],
      ['c', 'w1'],
    ]);
    // c ran on w1: d, b's only child, is all that is left to place.
    const chain = { ...start(), tasks: { a: ran, b: ran, c: { ...ran, worker: 'w1' } } };
    const busy = [worker('w1', ['Print'], 1), worker('w2', ['Print'], 2, 1)];
    const d = decideOnce(graph, chain, busy, at(2), plain);
    expect(d.assigned.find((x) => x.task === 'd')?.worker).toBe('w2');
    // A full parent's worker is no reason to wait: the step goes elsewhere.
    const full = [worker('w1', ['Print'], 1), worker('w2', ['Print'], 1, 1)];
    const e = decideOnce(graph, chain, full, at(2), plain);
    expect(e.assigned.find((x) => x.task === 'd')?.worker).toBe('w1');
  });
});
