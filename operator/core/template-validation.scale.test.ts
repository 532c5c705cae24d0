import { describe, expect, it } from 'vitest';
import type { DagSpec, TaskSpec } from '../api/dag.ts';
import { buildGraph } from './graph.ts';
import { validateTemplates } from './template-validation.ts';

describe('validateTemplates on a large Dag', () => {
  /** 2,000 tasks, each depending on up to 64 earlier ones, each reading outputs and vars. */
  function wideDag(): DagSpec {
    const tasks: TaskSpec[] = Array.from({ length: 2000 }, (_, i) => {
      const deps = Array.from({ length: Math.min(i, 64) }, (_, k) => `t${i - 1 - k}`);
      const params =
        i === 0
          ? { v: '{{cluster}}' }
          : {
              first: '{{tasks.t0.output.items.0}}',
              parent: `{{tasks.t${i - 1}.output}}`,
              far: `{{tasks.t${Math.floor(i / 2)}.output.x}}`,
              text: 'in {{cluster}} via {{.shareData.ip}}',
              list: ['{{.vars.cluster.Value}}', { n: 1 }],
            };
      return { id: `t${i}`, actionName: 'A', dependOn: deps, params };
    });
    return { vars: { cluster: { defaultValue: 'dev' } }, tasks };
  }

  /** 2,000 tasks in a chain, each reading the first task and the one halfway back. */
  function chainDag(): DagSpec {
    const tasks: TaskSpec[] = Array.from({ length: 2000 }, (_, i) => ({
      id: `t${i}`,
      actionName: 'A',
      ...(i === 0
        ? {}
        : {
            dependOn: [`t${i - 1}`],
            params: { first: '{{tasks.t0.output}}', far: `{{tasks.t${i >> 1}.output}}` },
          }),
    }));
    return { tasks };
  }

  /** A Map that counts the lookups made in it. */
  class CountingMap<K, V> extends Map<K, V> {
    lookups = 0;
    override get(key: K): V | undefined {
      this.lookups++;
      return super.get(key);
    }
    override has(key: K): boolean {
      this.lookups++;
      return super.has(key);
    }
  }

  /** The problems found and the number of lookups made in the graph to find them. */
  function validateCounting(spec: DagSpec): { found: unknown[]; lookups: number } {
    const built = buildGraph(spec.tasks);
    if (!built.ok) throw new Error('bad test Dag');
    const tasks = new CountingMap(built.graph.tasks);
    const parents = new CountingMap(built.graph.parents);
    const children = new CountingMap(built.graph.children);
    const found = validateTemplates(spec, { order: built.graph.order, tasks, parents, children });
    return { found, lookups: tasks.lookups + parents.lookups + children.lookups };
  }

  const outputReferences = (spec: DagSpec): number =>
    spec.tasks.reduce(
      (n, t) => n + (JSON.stringify(t.params ?? {}).match(/\{\{tasks\./g)?.length ?? 0),
      0,
    );

  it('accepts references to far ancestors in a 2,000-task Dag with 64 parents per task', () => {
    expect(validateCounting(wideDag()).found).toEqual([]);
  });

  it('finds ancestors with graph lookups linear in tasks and references, not their product', () => {
    const spec = chainDag();
    const { found, lookups } = validateCounting(spec);
    expect(found).toEqual([]);
    // Walking up the chain for each reference would take about two million lookups.
    expect(lookups).toBeLessThanOrEqual(4 * (spec.tasks.length + outputReferences(spec)));
  });
});
