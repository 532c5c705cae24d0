import { describe, expect, it } from 'vitest';
import type { DagSpec, TaskSpec } from '../api/dag.ts';
import { buildGraph } from './graph.ts';
import { validateTemplates } from './template-validation.ts';
import { validateDag } from './validate-dag.ts';

const vars = { cluster: { defaultValue: 'dev' }, 'a-b': { defaultValue: 'x' } };

/** fetch -> mid -> use, and side (no dependencies). */
function dag(useParams: Record<string, unknown>, extra: Partial<DagSpec> = {}): DagSpec {
  return {
    vars,
    tasks: [
      { id: 'fetch', actionName: 'A' },
      { id: 'mid', actionName: 'A', dependOn: ['fetch'] },
      { id: 'use', actionName: 'A', dependOn: ['mid'], params: useParams },
      { id: 'side', actionName: 'A' },
    ],
    ...extra,
  };
}

function problems(spec: DagSpec) {
  const built = buildGraph(spec.tasks);
  if (!built.ok) throw new Error('test Dag has graph problems');
  return validateTemplates(spec, built.graph);
}

describe('validateTemplates accepts', () => {
  it('every supported form naming declared vars and ancestors', () => {
    const spec = dag({
      plain: '{{cluster}} {{ cluster }} {{a-b}}',
      go: '{{.vars.cluster.Value}} {{(index .vars "a-b").Value}} {{.vars.a-b.Value}}',
      share: '{{.shareData.anything}} {{index .shareData "not-known-yet"}}',
      parent: '{{tasks.mid.output}}',
      grandparent: ['{{tasks.fetch.output.items.0.name}}', { deep: '{{tasks.fetch.output}}' }],
      literal: '{{"{{"}}not a var}}',
      plainText: 'no templates } here',
      number: 3,
    });
    expect(problems(spec)).toEqual([]);
  });

  it('Dags without params or vars', () => {
    expect(problems({ tasks: [{ id: 'a', actionName: 'A' }] })).toEqual([]);
    expect(problems({ tasks: [{ id: 'a', actionName: 'A', params: { x: 'y' } }] })).toEqual([]);
  });

  it('a task whose id holds dots', () => {
    const spec: DagSpec = {
      tasks: [
        { id: 'step.one', actionName: 'A' },
        {
          id: 'b',
          actionName: 'A',
          dependOn: ['step.one'],
          params: { x: '{{tasks.step.one.output.v}}' },
        },
      ],
    };
    expect(problems(spec)).toEqual([]);
  });
});

describe('validateTemplates refuses, with the field path', () => {
  it.each([
    {
      name: 'an undeclared var ({{name}}), which fastflow left as text',
      params: { target: 'to {{clustr}}' },
      reason: 'UnknownVar',
      path: 'spec.tasks[2].params.target',
      message: '{{clustr}}: var "clustr" is not declared by the Dag (declared: cluster, a-b)',
    },
    {
      name: 'an undeclared var (.vars.name.Value)',
      params: { a: { b: ['x', '{{ .vars.region.Value }}'] } },
      reason: 'UnknownVar',
      path: 'spec.tasks[2].params.a.b[1]',
      message:
        '{{ .vars.region.Value }}: var "region" is not declared by the Dag (declared: cluster, a-b)',
    },
    {
      name: 'an undeclared var ((index .vars "name").Value)',
      params: { 'odd key': '{{(index .vars "c-d").Value}}' },
      reason: 'UnknownVar',
      path: 'spec.tasks[2].params["odd key"]',
      message:
        '{{(index .vars "c-d").Value}}: var "c-d" is not declared by the Dag (declared: cluster, a-b)',
    },
    {
      name: 'a task that does not exist',
      params: { x: '{{tasks.ghost.output}}' },
      reason: 'UnknownTaskReference',
      path: 'spec.tasks[2].params.x',
      message: '{{tasks.ghost.output}}: "ghost" is not a task of this Dag',
    },
    {
      name: 'its own output',
      params: { x: '{{tasks.use.output.v}}' },
      reason: 'NotUpstreamTask',
      path: 'spec.tasks[2].params.x',
      message: '{{tasks.use.output.v}}: task "use" cannot read its own output',
    },
    {
      name: 'a task that is not an ancestor',
      params: { x: '{{tasks.side.output}}' },
      reason: 'NotUpstreamTask',
      path: 'spec.tasks[2].params.x',
      message:
        '{{tasks.side.output}}: task "side" is not upstream of "use" (it may not have finished ' +
        'when "use" starts): add it to dependOn, directly or through another task',
    },
    {
      name: 'an unclosed {{',
      params: { x: 'a {{cluster' },
      reason: 'InvalidTemplate',
      path: 'spec.tasks[2].params.x',
      message: '{{cluster: "{{" is not closed by "}}"',
    },
    {
      name: 'an unknown Go template form',
      params: { list: ['{{ printf "%s" .vars.cluster.Value }}'] },
      reason: 'InvalidTemplate',
      path: 'spec.tasks[2].params.list[0]',
      message: '{{ printf "%s" .vars.cluster.Value }}: not a supported template; use {{name}}',
    },
    {
      name: 'a var without .Value',
      params: { x: '{{.vars.cluster}}' },
      reason: 'InvalidTemplate',
      path: 'spec.tasks[2].params.x',
      message:
        '{{.vars.cluster}}: a var is a struct in Go templates: write {{.vars.cluster.Value}}',
    },
    {
      name: 'an empty template',
      params: { x: '{{ }}' },
      reason: 'InvalidTemplate',
      path: 'spec.tasks[2].params.x',
      message: '{{ }}: empty template',
    },
    {
      name: 'a malformed output path',
      params: { x: '{{tasks.fetch.output.}}' },
      reason: 'InvalidTemplate',
      path: 'spec.tasks[2].params.x',
      message: '{{tasks.fetch.output.}}: bad output path at "."',
    },
    {
      name: 'a task reference without .output',
      params: { x: '{{tasks.fetch.result}}' },
      reason: 'InvalidTemplate',
      path: 'spec.tasks[2].params.x',
      message: '{{tasks.fetch.result}}: expected {{tasks.<id>.output}}',
    },
  ])('$name', ({ params, reason, path, message }) => {
    const found = problems(dag(params));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ reason, path });
    expect(found[0]?.message.startsWith(message)).toBe(true);
  });

  it('a child reading the output of its descendant', () => {
    const spec: DagSpec = {
      tasks: [
        { id: 'a', actionName: 'A', params: { x: '{{tasks.b.output}}' } },
        { id: 'b', actionName: 'A', dependOn: ['a'] },
      ],
    };
    expect(problems(spec)).toMatchObject([
      { reason: 'NotUpstreamTask', path: 'spec.tasks[0].params.x' },
    ]);
  });

  it('says when the Dag declares no vars', () => {
    const spec: DagSpec = { tasks: [{ id: 'a', actionName: 'A', params: { x: '{{v}}' } }] };
    expect(problems(spec)).toEqual([
      {
        reason: 'UnknownVar',
        path: 'spec.tasks[0].params.x',
        message: '{{v}}: var "v" is not declared by the Dag (the Dag declares no vars)',
      },
    ]);
  });

  it('lists at most 20 declared vars', () => {
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`v${i}`, {}]));
    const spec: DagSpec = {
      vars: many,
      tasks: [{ id: 'a', actionName: 'A', params: { x: '{{w}}' } }],
    };
    expect(problems(spec)[0]?.message).toMatch(/\(declared: v0, .*, v19, and 5 more\)$/);
  });

  it('reports every problem, in spec order and in the order of the params', () => {
    const spec: DagSpec = {
      vars,
      tasks: [
        { id: 'a', actionName: 'A', params: { p: '{{tasks.b.output}}', q: '{{x', r: '{{nope}}' } },
        { id: 'b', actionName: 'A', params: { s: ['{{ghost}}', '{{tasks.zz.output}}'] } },
      ],
    };
    expect(problems(spec).map((p) => [p.path, p.reason])).toEqual([
      ['spec.tasks[0].params.p', 'NotUpstreamTask'],
      ['spec.tasks[0].params.q', 'InvalidTemplate'],
      ['spec.tasks[0].params.r', 'UnknownVar'],
      ['spec.tasks[1].params.s[0]', 'UnknownVar'],
      ['spec.tasks[1].params.s[1]', 'UnknownTaskReference'],
    ]);
  });
});

describe('validateDag with templates', () => {
  it('refuses a Dag whose templates have problems, joining them', () => {
    const result = validateDag(dag({ a: '{{nope}}', b: '{{tasks.side.output}}' }));
    expect(result.valid).toBe(false);
    if (result.valid) return;
    expect(result.reason).toBe('UnknownVar');
    expect(result.message).toMatch(
      /^spec\.tasks\[2\]\.params\.a: \{\{nope\}\}: var "nope" is not declared .*; spec\.tasks\[2\]\.params\.b: \{\{tasks\.side\.output\}\}: task "side" is not upstream of "use"/,
    );
  });

  it('reports graph problems first, without looking at templates', () => {
    const result = validateDag({
      tasks: [{ id: 'a', actionName: 'A', dependOn: ['x'], params: { p: '{{nope}}' } }],
    });
    expect(result).toMatchObject({ valid: false, reason: 'UnknownDependency' });
  });

  it('accepts a Dag whose templates are fine', () => {
    expect(validateDag(dag({ a: '{{cluster}}', b: '{{tasks.fetch.output.x}}' })).valid).toBe(true);
  });

  it('keeps the message within Dag.status.message', () => {
    const tasks: TaskSpec[] = Array.from({ length: 2000 }, (_, i) => ({
      id: `t${i}`,
      actionName: 'A',
      params: { x: `{{undeclared${i}}}` },
    }));
    const result = validateDag({ tasks });
    expect(result.valid).toBe(false);
    if (result.valid) return;
    expect(result.message.length).toBeLessThanOrEqual(16384);
    expect(result.message).toMatch(/; … and \d+ more$/);
  });
});
