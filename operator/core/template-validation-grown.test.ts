import { describe, expect, it } from 'vitest';
import type { DagSpec } from '../api/dag.ts';
import { buildGraph } from './graph.ts';
import { validateTemplates } from './template-validation.ts';

function problems(spec: DagSpec) {
  const built = buildGraph(spec.tasks);
  if (!built.ok) throw new Error('test Dag has graph problems');
  return validateTemplates(spec, built.graph);
}

/** root -> fetch -> poll (loop over probe -> record), side alone, after -> poll. */
function loopDag(
  probeParams: Record<string, unknown>,
  subDagVars?: Record<string, string>,
): DagSpec {
  return {
    tasks: [
      { id: 'root', actionName: 'A' },
      { id: 'fetch', actionName: 'A', dependOn: ['root'] },
      { id: 'side', actionName: 'A' },
      {
        id: 'poll',
        type: 'loop',
        dependOn: ['fetch'],
        loop: { body: ['probe', 'record', 'child'], while: 'true', maxIterations: 3 },
      },
      { id: 'probe', actionName: 'A', params: probeParams },
      { id: 'record', actionName: 'A', dependOn: ['probe'] },
      {
        id: 'child',
        type: 'subDag',
        dependOn: ['probe'],
        subDag: { dagName: 'other', ...(subDagVars ? { vars: subDagVars } : {}) },
      },
      { id: 'after', actionName: 'A', dependOn: ['poll'] },
    ],
  };
}

describe('templates of a loop body read what is upstream of the loop', () => {
  it("the loop's parent and its transitive upstreams", () => {
    const spec = loopDag(
      { a: '{{tasks.fetch.output}}', b: '{{tasks.root.output.x}}' },
      { v: '{{tasks.root.output}}', w: '{{tasks.probe.output}}' },
    );
    expect(problems(spec)).toEqual([]);
  });

  it("not a task off the loop's path, the loop itself, nor a task after it", () => {
    const spec = loopDag(
      { a: '{{tasks.side.output}}', b: '{{tasks.poll.output}}', c: '{{tasks.after.output}}' },
      { v: '{{tasks.record.output}}' },
    );
    expect(problems(spec).map((p) => [p.path, p.reason])).toEqual([
      ['spec.tasks[4].params.a', 'NotUpstreamTask'],
      ['spec.tasks[4].params.b', 'NotUpstreamTask'],
      ['spec.tasks[4].params.c', 'NotUpstreamTask'],
      ['spec.tasks[6].subDag.vars.v', 'NotUpstreamTask'],
    ]);
  });
});

describe('templates of a fan-out read what is upstream of the fan-out', () => {
  it('parents, transitive upstreams and the item, in params and in subDag vars', () => {
    const spec: DagSpec = {
      tasks: [
        { id: 'root', actionName: 'A' },
        { id: 'list', actionName: 'A', dependOn: ['root'] },
        {
          id: 'each',
          actionName: 'A',
          dependOn: ['list'],
          forEach: { items: 'tasks.list.output' },
          params: { r: '{{tasks.root.output}}', i: '{{item}}' },
        },
        {
          id: 'kids',
          type: 'subDag',
          dependOn: ['list'],
          forEach: { items: 'tasks.list.output' },
          subDag: { dagName: 'other', vars: { r: '{{tasks.root.output}}', i: '{{itemIndex}}' } },
        },
      ],
    };
    expect(problems(spec)).toEqual([]);
  });
});
