import { describe, expect, it } from 'vitest';
import { gridCols, layoutView } from './layout.ts';
import { chain, wide } from '../../test/support/dags.ts';
import { phaseCounts, SIBLING_GROUP, viewGraph } from './view-graph.ts';

const graph = {
  order: ['split', 'work', 'merge'],
  parents: new Map([
    ['split', []],
    ['work', ['split']],
    ['merge', ['work']],
  ]),
};
const copies = Array.from({ length: 5000 }, (_, i) => `work[${i}]`);

describe('viewGraph', () => {
  it('folds every grown key (fan-out, loop) into the task it grew from', () => {
    const keys = ['split', 'work', 'work[10]', 'work[2]', 'merge#1', 'ghost[0]', 'work[01]'];
    const view = viewGraph(graph, keys);
    expect(view.nodes).toEqual([
      { id: 'split', members: [] },
      { id: 'work', members: ['work[2]', 'work[10]'] },
      { id: 'merge', members: ['merge#1'] },
    ]);
    expect(view.edges).toEqual([
      { from: 'split', to: 'work' },
      { from: 'work', to: 'merge' },
    ]);
    // Not a grown key (core/grown-graph.ts parseGrownKey): a stray, not a copy of work.
    expect(view.strays).toEqual(['ghost[0]', 'work[01]']);
  });

  it('counts a group by phase, absent members as Pending', () => {
    expect(
      phaseCounts(['a[0]', 'a[1]', 'a[2]'], {
        'a[0]': { phase: 'Failed' },
        'a[1]': { phase: 'Failed' },
      }),
    ).toEqual({ Failed: 2, Pending: 1 });
  });
});

describe('layoutView', () => {
  it('lays a 5,000-copy fan-out out as three nodes while it is collapsed', () => {
    const layout = layoutView(viewGraph(graph, copies), new Set());
    expect(layout.nodes.map((n) => [n.id, n.members?.length, n.cols])).toEqual([
      ['split', undefined, undefined],
      ['work', 5000, undefined],
      ['merge', undefined, undefined],
    ]);
    const [split, work, merge] = layout.nodes;
    expect(split!.y).toBeLessThan(work!.y);
    expect(work!.y).toBeLessThan(merge!.y);
    expect(layout.edges.every((e) => e.points.length >= 2)).toBe(true);
  });

  it('opens an expanded group as a grid big enough for every member', () => {
    const layout = layoutView(viewGraph(graph, copies), new Set(['work']));
    const work = layout.nodes[1]!;
    expect(work.cols).toBe(gridCols(5000));
    const rows = Math.ceil(5000 / work.cols!);
    expect(work.height).toBeGreaterThanOrEqual(rows * layout.cell + layout.header);
    expect(work.width).toBeGreaterThanOrEqual(work.cols! * layout.cell);
  });
});

describe('large Dags', () => {
  const shape = (tasks: { id: string; dependOn?: string[] }[]) => ({
    order: tasks.map((t) => t.id),
    parents: new Map(tasks.map((t) => [t.id, t.dependOn ?? []])),
  });

  it('draws side-by-side tasks (same parents, same children) as one group', () => {
    const view = viewGraph(shape(wide(5000)), []);
    expect(view.nodes.map((n) => [n.id, n.members.length])).toEqual([
      ['root', 0],
      ['w0 … w4999', 5000],
      ['join', 0],
    ]);
    expect(view.edges).toEqual([
      { from: 'root', to: 'w0 … w4999' },
      { from: 'w0 … w4999', to: 'join' },
    ]);
    // Below SIBLING_GROUP, siblings stay tasks of their own.
    expect(viewGraph(shape(wide(SIBLING_GROUP - 1)), []).nodes).toHaveLength(SIBLING_GROUP + 1);
  });

  it('ranks a view too large for dagre: a 2,000-task chain, each task below its parent', () => {
    const layout = layoutView(viewGraph(shape(chain(2000)), []), new Set());
    expect(layout.nodes).toHaveLength(2000);
    const y = new Map(layout.nodes.map((n) => [n.id, n.y]));
    expect(chain(2000).every((t) => !t.dependOn || y.get(t.id)! > y.get(t.dependOn[0]!)!)).toBe(
      true,
    );
  });
});
