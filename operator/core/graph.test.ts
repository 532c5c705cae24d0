import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../api/dag.ts';
import { buildGraph, type DagGraph, type GraphProblem } from './graph.ts';

/** `t('b', 'a')` is task b depending on a. */
function t(id: string, ...dependOn: string[]): TaskSpec {
  return { id, actionName: 'Act', ...(dependOn.length ? { dependOn } : {}) };
}

function graphOf(tasks: TaskSpec[]): DagGraph {
  const result = buildGraph(tasks);
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  return result.graph;
}

function problemsOf(tasks: TaskSpec[]): GraphProblem[] {
  const result = buildGraph(tasks);
  if (result.ok) throw new Error('expected problems, got a graph');
  return result.problems;
}

function expectTopological(graph: DagGraph, tasks: TaskSpec[]): void {
  expect([...graph.order].sort()).toEqual(tasks.map((x) => x.id).sort());
  const position = new Map(graph.order.map((id, i) => [id, i]));
  for (const task of tasks) {
    for (const dep of task.dependOn ?? []) {
      expect(position.get(dep), `${dep} before ${task.id}`).toBeLessThan(
        position.get(task.id) as number,
      );
    }
  }
}

describe('buildGraph: valid graphs', () => {
  const cases: { name: string; tasks: TaskSpec[]; order?: string[] }[] = [
    { name: 'single task', tasks: [t('a')], order: ['a'] },
    {
      name: 'chain in spec order',
      tasks: [t('a'), t('b', 'a'), t('c', 'b')],
      order: ['a', 'b', 'c'],
    },
    {
      name: 'chain listed backwards',
      tasks: [t('c', 'b'), t('b', 'a'), t('a')],
      order: ['a', 'b', 'c'],
    },
    {
      name: 'diamond',
      tasks: [t('a'), t('b', 'a'), t('c', 'a'), t('d', 'b', 'c')],
      order: ['a', 'b', 'c', 'd'],
    },
    {
      name: 'diamond listed sink first',
      tasks: [t('d', 'c', 'b'), t('c', 'a'), t('b', 'a'), t('a')],
    },
    {
      name: 'disconnected components',
      tasks: [t('x'), t('a'), t('y', 'x'), t('b', 'a'), t('lonely')],
    },
    { name: 'duplicate dependency entries', tasks: [t('a'), t('b', 'a', 'a')], order: ['a', 'b'] },
    {
      name: 'roots keep spec order',
      tasks: [t('r3'), t('r1'), t('r2')],
      order: ['r3', 'r1', 'r2'],
    },
  ];

  it.each(cases)('$name', ({ tasks, order }) => {
    const graph = graphOf(tasks);
    expectTopological(graph, tasks);
    if (order) expect(graph.order).toEqual(order);
  });

  it('exposes parents, children and the task specs', () => {
    const tasks = [t('a'), t('b', 'a'), t('c', 'a'), t('d', 'b', 'c', 'b')];
    const graph = graphOf(tasks);
    expect(graph.parents.get('a')).toEqual([]);
    expect(graph.parents.get('d')).toEqual(['b', 'c']);
    expect(graph.children.get('a')).toEqual(['b', 'c']);
    expect(graph.children.get('b')).toEqual(['d']);
    expect(graph.children.get('d')).toEqual([]);
    expect(graph.tasks.get('c')).toBe(tasks[2]);
  });

  it('orders any random acyclic graph, whatever the spec order', () => {
    const dag = fc
      .integer({ min: 1, max: 40 })
      .chain((n) =>
        fc.tuple(
          fc.constant(n),
          fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n }),
        ),
      )
      .chain(([n, pairs]) => {
        const tasks = Array.from({ length: n }, (_, i) => {
          const deps = pairs.filter(([x, y]) => Math.max(x, y) === i && x !== y);
          return t(`t${i}`, ...deps.map(([x, y]) => `t${Math.min(x, y)}`));
        });
        return fc.shuffledSubarray(tasks, { minLength: n, maxLength: n });
      });
    fc.assert(
      fc.property(dag, (tasks) => {
        expectTopological(graphOf(tasks), tasks);
      }),
    );
  });
});

describe('buildGraph: problems', () => {
  it('reports an unknown dependency with its field path', () => {
    expect(problemsOf([t('a'), t('b', 'nope')])).toEqual([
      {
        reason: 'UnknownDependency',
        path: 'spec.tasks[1].dependOn[0]',
        message: 'task "b" depends on "nope", which is not a task of this Dag',
      },
    ]);
  });

  it('reports a duplicate id at its second occurrence', () => {
    expect(problemsOf([t('a'), t('b'), t('a')])).toEqual([
      {
        reason: 'DuplicateTaskId',
        path: 'spec.tasks[2].id',
        message: expect.stringContaining('"a"'),
      },
    ]);
  });

  it('reports a self-dependency', () => {
    expect(problemsOf([t('a'), t('b', 'a', 'b')])).toEqual([
      { reason: 'SelfDependency', path: 'spec.tasks[1].dependOn[1]', message: expect.any(String) },
    ]);
  });

  it('reports every problem at once, each with its path', () => {
    const problems = problemsOf([t('a', 'ghost'), t('b', 'b'), t('a'), t('c', 'a', 'phantom')]);
    expect(problems.map((p) => [p.reason, p.path])).toEqual([
      ['DuplicateTaskId', 'spec.tasks[2].id'],
      ['UnknownDependency', 'spec.tasks[0].dependOn[0]'],
      ['SelfDependency', 'spec.tasks[1].dependOn[0]'],
      ['UnknownDependency', 'spec.tasks[3].dependOn[1]'],
    ]);
    expect(problems.find((p) => p.path === 'spec.tasks[3].dependOn[1]')?.message).toContain(
      '"phantom"',
    );
  });

  it.each([
    {
      name: 'three-cycle',
      tasks: [t('a', 'c'), t('b', 'a'), t('c', 'b')],
      cycle: 'a -> b -> c -> a',
    },
    { name: 'two-cycle', tasks: [t('x', 'y'), t('y', 'x')], cycle: 'x -> y -> x' },
    {
      name: 'cycle behind a valid prefix',
      tasks: [t('root'), t('p', 'root', 'r'), t('q', 'p'), t('r', 'q')],
      cycle: 'p -> q -> r -> p',
    },
    {
      name: 'cycle upstream of a blocked task',
      tasks: [t('down', 'm'), t('m', 'n'), t('n', 'm')],
      cycle: 'm -> n -> m',
    },
  ])('names the cycle in dependency order: $name', ({ tasks, cycle }) => {
    const problems = problemsOf(tasks);
    expect(problems).toEqual([
      { reason: 'CycleDetected', path: 'spec.tasks', message: `tasks form a cycle: ${cycle}` },
    ]);
  });

  it('reports a cycle together with reference problems elsewhere', () => {
    const problems = problemsOf([t('a', 'c'), t('b', 'a'), t('c', 'b'), t('d', 'ghost')]);
    expect(problems.map((p) => p.reason)).toEqual(['UnknownDependency', 'CycleDetected']);
    expect(problems[1]?.message).toBe('tasks form a cycle: a -> b -> c -> a');
  });

  it('every reported cycle is a real cycle of the graph', () => {
    // Random graph with arbitrary edges, often cyclic.
    const arb = fc
      .integer({ min: 2, max: 12 })
      .chain((n) =>
        fc
          .array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { minLength: 1, maxLength: 3 * n })
          .map((pairs) =>
            Array.from({ length: n }, (_, i) =>
              t(
                `n${i}`,
                ...[
                  ...new Set(pairs.filter(([c, p]) => c === i && p !== i).map(([, p]) => `n${p}`)),
                ],
              ),
            ),
          ),
      );
    fc.assert(
      fc.property(arb, (tasks) => {
        const result = buildGraph(tasks);
        if (result.ok) {
          expectTopological(result.graph, tasks);
          return;
        }
        expect(result.problems).toHaveLength(1);
        const message = result.problems[0]?.message ?? '';
        const cycle = message.replace('tasks form a cycle: ', '').split(' -> ');
        expect(cycle[0]).toBe(cycle.at(-1));
        expect(new Set(cycle.slice(1)).size).toBe(cycle.length - 1);
        const deps = new Map(tasks.map((x) => [x.id, x.dependOn ?? []]));
        for (let i = 1; i < cycle.length; i++) {
          expect(deps.get(cycle[i] as string)).toContain(cycle[i - 1]);
        }
      }),
    );
  });
});
