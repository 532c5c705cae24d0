import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../api/dag-instance.ts';
import type { TaskSpec } from '../api/dag.ts';
import { buildGraph, type DagGraph } from '../core/graph.ts';
import { makePaint, stripColor } from './color.ts';
import { renderTree, treeRows } from './tree.ts';

const plain = makePaint(false);
const now = new Date('2025-01-01T00:01:00Z');

function graph(tasks: [string, string[]][]): DagGraph {
  const specs: TaskSpec[] = tasks.map(([id, dependOn]) => ({ id, actionName: 'print', dependOn }));
  const built = buildGraph(specs);
  if (!built.ok) throw new Error('bad graph');
  return built.graph;
}

const done = (ms: number, extra: Partial<TaskStatus> = {}): TaskStatus => ({
  phase: 'Succeeded',
  attempt: 1,
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: new Date(Date.parse('2025-01-01T00:00:00.000Z') + ms).toISOString(),
  ...extra,
});

describe('tree layout', () => {
  it('draws a chain indented by dependency', () => {
    const g = graph([
      ['task1', []],
      ['task2', ['task1']],
      ['task3', ['task2']],
    ]);
    const lines = renderTree(treeRows(g, { task1: done(12), task2: done(30) }, now), plain);
    expect(lines).toEqual([
      'task1        Succeeded  12ms',
      '└─ task2     Succeeded  30ms',
      '   └─ task3  Pending',
    ]);
  });

  it('draws a task with several parents once, and refers to it elsewhere', () => {
    const g = graph([
      ['a', []],
      ['b', ['a']],
      ['c', ['a']],
      ['d', ['b', 'c']],
      ['e', ['d']],
    ]);
    const tasks: Record<string, TaskStatus> = {
      a: done(20),
      b: done(1000),
      c: {
        phase: 'Failed',
        attempt: 2,
        startedAt: '2025-01-01T00:00:00.000Z',
        finishedAt: '2025-01-01T00:00:00.500Z',
        reason: 'ActionFailed',
        message: 'boom',
      },
    };
    const rows = treeRows(g, tasks, now);
    expect(rows.map((r) => [r.prefix + r.id, r.seeAbove])).toEqual([
      ['a', false],
      ['├─ b', false],
      ['│  └─ d', false],
      ['│     └─ e', false],
      ['└─ c', false],
      ['   └─ d', true],
    ]);
    expect(renderTree(rows, plain)).toEqual([
      'a           Succeeded   20ms',
      '├─ b        Succeeded   1.0s',
      '│  └─ d     Pending           after b, c',
      '│     └─ e  Pending',
      '└─ c        Failed     500ms  attempt 2 · ActionFailed: boom',
      '   └─ d (see above)',
    ]);
  });

  it('starts every root at column 0, and lists status keys the graph lacks at the end', () => {
    const g = graph([
      ['x', []],
      ['y', []],
      ['z', ['x', 'y']],
    ]);
    const rows = treeRows(g, { 'fan[0]': { phase: 'Running' } }, now);
    expect(renderTree(rows, plain)).toEqual([
      'x       Pending',
      '└─ z    Pending  after x, y',
      'y       Pending',
      '└─ z (see above)',
      'fan[0]  Running  not a task of the Dag snapshot',
    ]);
  });

  it('colours phases only when asked, without changing the layout', () => {
    const g = graph([
      ['a', []],
      ['b', ['a']],
    ]);
    const rows = treeRows(g, { a: done(5), b: { phase: 'Running', attempt: 1 } }, now);
    const colored = renderTree(rows, makePaint(true));
    expect(colored[0]).toContain('\x1b[32mSucceeded\x1b[39m');
    expect(colored[1]).toContain('\x1b[36mRunning\x1b[39m');
    expect(colored.map(stripColor)).toEqual(renderTree(rows, plain));
    expect(renderTree(rows, plain).join('\n')).not.toContain('\x1b');
  });

  it('handles a long chain without recursion', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `t${i}`);
    const g = graph(ids.map((id, i) => [id, i === 0 ? [] : [ids[i - 1] as string]]));
    const rows = treeRows(g, {}, now);
    expect(rows).toHaveLength(3000);
    expect(rows.at(-1)?.prefix).toBe(`${'   '.repeat(2998)}└─ `);
  });
});
