import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../api/dag.ts';
import type { DagInstanceStatus, TaskPhase, TaskStatus } from '../api/dag-instance.ts';
import { decide, instancePhase, type Decision } from './decide.ts';
import { buildGraph, type DagGraph } from './graph.ts';
import { started } from './instance-start.ts';
import type { WorkerView } from './worker-pool.ts';

const T0 = new Date('2026-05-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

function task(id: string, dependOn: string[] = [], actionName = 'Print'): TaskSpec {
  return { id, actionName, ...(dependOn.length ? { dependOn } : {}) };
}

function graphOf(tasks: TaskSpec[]): DagGraph {
  const result = buildGraph(tasks);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.graph;
}

function worker(name: string, actions: string[] = ['Print'], capacity = 10, load = 0): WorkerView {
  return { name, actions: new Set(actions), capacity, load };
}

function start(): DagInstanceStatus {
  return started(undefined, 'dag-rev-1', T0);
}

function step(
  graph: DagGraph,
  status: DagInstanceStatus,
  workers: WorkerView[],
  now = at(1),
): Decision {
  const decision = decide({ graph, status, workers, generation: 1, now });
  // Every decision is a fixed point of itself.
  const again = decide({ graph, status: decision.status, workers, generation: 1, now });
  expect(again.assigned).toEqual([]);
  expect(again.status).toEqual(decision.status);
  return decision;
}

/** What the assigned worker writes for its own attempt. */
function report(
  status: DagInstanceStatus,
  id: string,
  phase: TaskPhase,
  message?: string,
): DagInstanceStatus {
  const current = status.tasks?.[id] as TaskStatus;
  expect(current, `task ${id} has a status`).toBeDefined();
  const next: TaskStatus = { ...current, phase, ...(message ? { message } : {}) };
  return { ...status, tasks: { ...status.tasks, [id]: next } };
}

function phases(status: DagInstanceStatus): Record<string, TaskPhase> {
  return Object.fromEntries(Object.entries(status.tasks ?? {}).map(([id, t]) => [id, t.phase]));
}

const succeededCondition = (status: DagInstanceStatus) =>
  status.conditions?.find((c) => c.type === 'Succeeded');

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

    d = step(graph, report(d.status, 'A', 'Running'), workers, at(2));
    expect(d.assigned).toEqual([]);
    expect(phases(d.status)).toEqual({ A: 'Running' });

    d = step(graph, report(d.status, 'A', 'Succeeded'), workers, at(3));
    expect(d.assigned).toEqual([{ task: 'B', worker: 'w1', attempt: 1 }]);
    expect(phases(d.status)).toEqual({ A: 'Succeeded', B: 'Scheduled' });
    expect(d.status.progress).toBe('1/3');

    d = step(graph, report(d.status, 'B', 'Succeeded'), workers, at(4));
    expect(d.assigned).toEqual([{ task: 'C', worker: 'w1', attempt: 1 }]);
    expect(d.status.phase).toBe('Running');
    expect(d.status.finishTime).toBeUndefined();

    d = step(graph, report(d.status, 'C', 'Succeeded'), workers, at(65));
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
    const later = step(graph, report(first.status, 'A', 'Succeeded'), workers, at(9));
    expect(succeededCondition(later.status)?.lastTransitionTime).toBe(at(1).toISOString());
  });

  it('lets a Skipped parent unblock its child', () => {
    const d = step(graph, report(step(graph, start(), workers).status, 'A', 'Skipped'), workers);
    expect(d.assigned.map((a) => a.task)).toEqual(['B']);
  });
});

describe('decide: a diamond A -> (B, C) -> D', () => {
  const graph = graphOf([task('A'), task('B', ['A']), task('C', ['A']), task('D', ['B', 'C'])]);
  const workers = [worker('w1'), worker('w2')];

  it('assigns B and C in the same pass and D only after both', () => {
    let d = step(graph, start(), workers);
    d = step(graph, report(d.status, 'A', 'Succeeded'), workers);
    expect(d.assigned.map((a) => a.task).sort()).toEqual(['B', 'C']);
    expect(new Set(d.assigned.map((a) => a.worker))).toEqual(new Set(['w1', 'w2']));

    d = step(graph, report(d.status, 'B', 'Succeeded'), workers);
    expect(d.assigned).toEqual([]);
    d = step(graph, report(d.status, 'C', 'Running'), workers);
    expect(d.assigned).toEqual([]);
    expect(d.status.tasks?.D).toBeUndefined();

    d = step(graph, report(d.status, 'C', 'Succeeded'), workers);
    expect(d.assigned.map((a) => a.task)).toEqual(['D']);
    d = step(graph, report(d.status, 'D', 'Succeeded'), workers);
    expect(d.status.phase).toBe('Succeeded');
  });

  it('never runs D when one side fails', () => {
    let d = step(graph, start(), workers);
    d = step(graph, report(d.status, 'A', 'Succeeded'), workers);
    d = step(graph, report(d.status, 'B', 'Failed', 'boom'), workers);
    expect(d.status.phase).toBe('Running');
    d = step(graph, report(d.status, 'C', 'Succeeded'), workers);
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
    d = step(graph, report(d.status, 'A', 'Failed', 'disk full'), workers);
    expect(d.status.phase).toBe('Running');
    expect(d.status.finishTime).toBeUndefined();

    d = step(graph, report(d.status, 'C', 'Succeeded'), workers);
    expect(d.assigned.map((a) => a.task)).toEqual(['D']);
    expect(d.status.phase).toBe('Running');

    d = step(graph, report(d.status, 'D', 'Running'), workers);
    expect(d.status.phase).toBe('Running');

    d = step(graph, report(d.status, 'D', 'Succeeded'), workers, at(30));
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
    d = step(graph, report(d.status, 'A', 'Succeeded'), [printer]);
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
    const first = decide({ graph, status: start(), workers, generation: 1, now: at(1) });
    return step(graph, report(first.status, 'root', 'Succeeded'), workers, at(2));
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
    const first = decide({ graph, status: start(), workers, generation: 1, now: at(1) });
    const d = step(graph, report(first.status, 'root', 'Succeeded'), workers, at(2));
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
});

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
    const again = decide({
      graph,
      status: done.status,
      workers: [worker('w1')],
      generation: 1,
      now: at(3600),
    });
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
