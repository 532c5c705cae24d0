import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../api/dag-instance.ts';
import type { TaskSpec } from '../api/dag.ts';
import type { DagInstance } from '../api/objects.ts';
import { buildGraph, type DagGraph } from '../core/graph.ts';
import { makePaint } from './color.ts';
import { withChildTasks, type LoadInstance } from './sub-dag-tree.ts';
import { renderTree, treeRows } from './tree.ts';

const plain = makePaint(false);
const now = new Date('2025-01-01T00:01:00Z');

function graph(tasks: TaskSpec[]): DagGraph {
  const built = buildGraph(tasks);
  if (!built.ok) throw new Error('bad graph');
  return built.graph;
}
const action = (id: string, dependOn: string[] = []): TaskSpec => ({
  id,
  actionName: 'a',
  dependOn,
});
const sub = (id: string, dagName: string, dependOn: string[] = []): TaskSpec => ({
  id,
  type: 'subDag',
  subDag: { dagName },
  dependOn,
});
const instance = (name: string, tasks: Record<string, TaskStatus>): DagInstance => ({
  apiVersion: 'fastflow.io/v1alpha1',
  kind: 'DagInstance',
  metadata: { name },
  spec: { dagRef: { name: 'x' } },
  status: { tasks },
});
const ok: TaskStatus = { phase: 'Succeeded', attempt: 1 };

describe("a parent's view of its children", () => {
  it('shows the tasks of the child of the current attempt as <task>/<child task>, nested', async () => {
    const parent = graph([
      action('build'),
      sub('deploy', 'rollout', ['build']),
      action('notify', ['deploy']),
    ]);
    const rollout = graph([action('apply'), sub('canary', 'probe', ['apply'])]);
    const probe = graph([action('ping')]);
    const known: Record<string, { instance: DagInstance; graph: DagGraph }> = {
      'p-deploy-2': {
        instance: instance('p-deploy-2', { apply: ok, canary: { phase: 'Running', attempt: 1 } }),
        graph: rollout,
      },
      'p-deploy-2-canary-1': { instance: instance('p-deploy-2-canary-1', {}), graph: probe },
    };
    const load: LoadInstance = (name) => Promise.resolve(known[name]);
    const p = instance('p', { build: ok, deploy: { phase: 'Running', attempt: 2 } });
    const all = await withChildTasks(load, p, parent);
    expect(all.graph.order).toEqual([
      'build',
      'deploy',
      'deploy/apply',
      'deploy/canary',
      'deploy/canary/ping',
      'notify',
    ]);
    expect(renderTree(treeRows(all.graph, all.tasks, now), plain)).toEqual([
      'build                           Succeeded',
      '└─ deploy                       Running    attempt 2',
      '   ├─ deploy/apply              Succeeded',
      '   │  └─ deploy/canary          Running',
      '   │     └─ deploy/canary/ping  Pending',
      '   └─ notify                    Pending',
    ]);
  });

  it('a child not created yet adds nothing', async () => {
    const parent = graph([sub('deploy', 'rollout')]);
    const p = instance('p', { deploy: { phase: 'Running', attempt: 1 } });
    const all = await withChildTasks(() => Promise.resolve(undefined), p, parent);
    expect(all.graph.order).toEqual(['deploy']);
  });

  it('draws the child of each copy and iteration under its key (kids[1]/ping, visit#2/ping)', async () => {
    const parent = graph([
      { ...sub('kids', 'probe'), forEach: { items: '[1, 2]' } },
      { id: 'again', type: 'loop', loop: { body: ['visit'], while: 'true', maxIterations: 3 } },
      sub('visit', 'probe'),
      action('end', ['kids', 'again']),
    ]);
    const probe = graph([action('ping')]);
    const child = (name: string) => ({ instance: instance(name, { ping: ok }), graph: probe });
    const names = ['p-kids-0-', 'p-kids-1-', 'p-visit-2-'];
    const load: LoadInstance = (name) =>
      Promise.resolve(names.some((n) => name.startsWith(n)) ? child(name) : undefined);
    const p = instance('p', {
      kids: { phase: 'Succeeded', attempt: 1 },
      'kids[1]': ok,
      'kids[0]': ok,
      again: { phase: 'Running', attempt: 1 },
      visit: { phase: 'Running', attempt: 1 },
      'visit#2': { phase: 'Running', attempt: 1 },
    });
    const all = await withChildTasks(load, p, parent);
    expect(all.graph.order).toEqual([
      'kids',
      'kids[0]/ping',
      'kids[1]/ping',
      'again',
      'visit',
      'visit#2/ping',
      'end',
    ]);
    const rows = treeRows(all.graph, all.tasks, now).map((r) => r.prefix + r.id);
    expect(rows).toEqual([
      'kids',
      '┆ kids[0]',
      '┆ └─ kids[0]/ping',
      '┆ kids[1]',
      '┆ └─ kids[1]/ping',
      '└─ end',
      'again',
      '└─ end',
      'visit',
      '┆ visit#2',
      '┆ └─ visit#2/ping',
    ]);
  });
});
