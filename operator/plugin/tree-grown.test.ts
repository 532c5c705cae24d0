import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../api/dag-instance.ts';
import { buildGraph } from '../core/graph.ts';
import { makePaint } from './color.ts';
import { taskTable } from './get.ts';
import { renderTree, treeRows } from './tree.ts';

// Copies of a fan-out and iterations of a loop are drawn under their task.

const plain = makePaint(false);
const now = new Date('2025-01-01T00:01:00Z');
const built = buildGraph([
  { id: 'list', actionName: 'p' },
  { id: 'resize', actionName: 'p', dependOn: ['list'], forEach: { items: '[1]' } },
  { id: 'join', actionName: 'p', dependOn: ['resize'] },
]);
if (!built.ok) throw new Error('bad graph');
const graph = built.graph;
const ok: TaskStatus = { phase: 'Succeeded' };

describe('grown keys in kubectl fastflow tree and get', () => {
  it('tree: copies under their task, in item order (x[10] after x[9])', () => {
    const tasks: Record<string, TaskStatus> = { list: ok, resize: { phase: 'Running' } };
    for (const i of [10, 2, 0, 1]) tasks[`resize[${i}]`] = ok;
    const lines = renderTree(treeRows(graph, tasks, now), plain);
    expect(lines[2]).toMatch(/^ {3}┆ resize\[0\] +Succeeded$/);
    const ids = treeRows(graph, tasks, now).map((r) => r.id);
    expect(ids).toEqual([
      'list',
      'resize',
      'resize[0]',
      'resize[1]',
      'resize[2]',
      'resize[10]',
      'join',
    ]);
  });

  it('tree: past ten copies, only those not Succeeded are drawn and the rest counted', () => {
    const tasks: Record<string, TaskStatus> = { list: ok, resize: { phase: 'Running' } };
    for (let i = 0; i < 5000; i++) tasks[`resize[${i}]`] = ok;
    tasks['resize[4321]'] = { phase: 'Failed', message: 'boom' };
    const rows = treeRows(graph, tasks, now);
    expect(rows.map((r) => r.id)).toEqual([
      'list',
      'resize',
      ...Array.from({ length: 10 }, (_, i) => `resize[${i}]`),
      'resize[4321]',
      '…',
      'join',
    ]);
    expect(renderTree(rows, plain).find((l) => l.includes('…'))).toContain(
      '4,989 more, all Succeeded',
    );
  });

  it('get: each task followed by its copies, not listed as unknown keys at the end', () => {
    const tasks = { list: ok, 'resize[1]': ok, 'resize[0]': ok, resize: ok };
    const lines = taskTable(graph.order, tasks, now, plain).map((l) => l.split(/\s+/)[0]);
    expect(lines).toEqual(['TASK', 'list', 'resize', 'resize[0]', 'resize[1]', 'join']);
  });
});
