import { describe, expect, it } from 'vitest';
import { ForEachSpec, LoopSpec, SubDagSpec } from '../../api/grown-tasks.ts';
import { Conversion } from './context.ts';
import { convertList } from './sequence.ts';

type Def = Record<string, unknown>;

const simple = (ref: string, extra: Def = {}): Def => ({
  name: 'print',
  taskReferenceName: ref,
  ...extra,
});

/** The tasks written for `tasks` (after a task `a`, before a task `z`) and the problems. */
function convert(tasks: Def[]) {
  const list = [simple('a'), ...tasks, simple('z')];
  const conv = new Conversion([]);
  conv.collectRefs(list, ['tasks']);
  convertList(list, ['tasks'], [], conv);
  const task = (id: string) => conv.tasks.find((t) => t.id === id);
  return { tasks: conv.tasks, task, problems: conv.problems.map((p) => `${p.path}: ${p.message}`) };
}

describe('DO_WHILE → type: loop', () => {
  const loop = (extra: Def): Def => ({
    name: 'l',
    taskReferenceName: 'l',
    type: 'DO_WHILE',
    loopOver: [simple('b1'), simple('b2', { inputParameters: { n: '${b1.output.n}' } })],
    ...extra,
  });

  it('the body is its own chain run by the loop; the condition reads iteration, body outputs and inputs', () => {
    const r = convert([
      loop({
        loopCondition: "if ($.l['iteration'] < $.max && $.b2['more']) { true; } else { false; }",
        inputParameters: { max: '${workflow.input.max}', keepLastN: 3 },
      }),
    ]);
    expect(r.problems).toEqual([]);
    expect(r.task('l')).toEqual({
      id: 'l',
      dependOn: ['a'],
      type: 'loop',
      loop: {
        body: ['b1', 'b2'],
        while: 'iteration < int(vars.max) && tasks.b2.output.more == true',
        maxIterations: 1000,
        keepLast: 3,
      },
    });
    expect(LoopSpec.safeParse(r.task('l')?.loop).success).toBe(true);
    expect(r.task('b1')?.dependOn).toBeUndefined();
    expect(r.task('b2')?.dependOn).toEqual(['b1']);
    expect(r.task('z')?.dependOn).toEqual(['l']);
  });

  it('a loop inside a switch branch is listed there, its body is not', () => {
    const r = convert([
      {
        name: 's',
        taskReferenceName: 's',
        type: 'SWITCH',
        expression: 'k',
        inputParameters: { k: 'x' },
        decisionCases: { x: [loop({ loopCondition: "$.l['iteration'] < 2" })] },
      },
    ]);
    expect(r.task('s')?.switch?.cases).toEqual({ x: ['l'] });
  });

  it.each([
    [{ loopCondition: "$.l['other'] > 1" }, "of the loop's own output only iteration converts"],
    [{ loopCondition: '' }, 'no loopCondition'],
    [{ loopCondition: 'x = 1' }, 'does not convert to CEL'],
    [
      { loopCondition: 'true', items: '${workflow.input.list}' },
      'iterating over items has no loop equivalent',
    ],
  ])('%j is refused', (extra, why) => {
    expect(convert([loop(extra)]).problems.join('\n')).toContain(why);
  });
});

describe('FORK_JOIN_DYNAMIC → forEach', () => {
  const fork = (inputParameters: Def): Def[] => [
    { name: 'fan', taskReferenceName: 'fan', type: 'FORK_JOIN_DYNAMIC', inputParameters },
    { name: 'j', taskReferenceName: 'j', type: 'JOIN' },
  ];

  it('forkTaskName + forkTaskInputs: one copy of the action per item; the JOIN and what follows wait for all', () => {
    const r = convert([
      ...fork({ forkTaskName: 'resize', forkTaskInputs: '${a.output.images}' }),
      simple('y', { inputParameters: { all: '${j.output}' } }),
    ]);
    expect(r.problems).toEqual([]);
    expect(r.task('fan')).toEqual({
      id: 'fan',
      dependOn: ['a'],
      actionName: 'resize',
      forEach: { items: 'tasks.a.output.images' },
      params: { item: '{{item}}', index: '{{itemIndex}}' },
    });
    expect(ForEachSpec.safeParse(r.task('fan')?.forEach).success).toBe(true);
    expect(r.task('y')).toMatchObject({
      dependOn: ['fan'],
      params: { all: '{{tasks.fan.output}}' },
    });
  });

  it('a list given in the definition or as a workflow input (a JSON string)', () => {
    expect(
      convert(fork({ forkTaskName: 'p', forkTaskInputs: [{ n: 1 }, { n: 2 }] })).task('fan')
        ?.forEach,
    ).toEqual({
      items: '[{"n": 1}, {"n": 2}]',
    });
    expect(
      convert(fork({ forkTaskName: 'p', forkTaskInputs: '${workflow.input.list}' })).task('fan')
        ?.forEach,
    ).toEqual({
      items: 'vars.list',
    });
  });

  it('forkTaskWorkflow: one child Dag per item', () => {
    const r = convert(fork({ forkTaskWorkflow: 'per_item', forkTaskInputs: '${a.output.list}' }));
    expect(r.task('fan')).toMatchObject({
      type: 'subDag',
      forEach: { items: 'tasks.a.output.list' },
      subDag: { dagName: 'per-item', vars: { item: '{{item}}', index: '{{itemIndex}}' } },
    });
    expect(SubDagSpec.safeParse(r.task('fan')?.subDag).success).toBe(true);
  });

  it.each([
    [{ forkTaskName: 'p' }, 'no forkTaskInputs'],
    [{ forkTaskName: '${workflow.input.t}', forkTaskInputs: [] }, 'the task to fork must be named'],
    [
      { forkTaskName: 'p', forkTaskType: 'HTTP', forkTaskInputs: [] },
      'forking a "HTTP" task has no equivalent',
    ],
    [{ forkTaskName: 'p', forkTaskInputs: 'abc' }, 'forkTaskInputs is not a list'],
    [
      { forkTaskWorkflow: '${workflow.input.w}', forkTaskInputs: [] },
      'the workflow to fork must be fixed',
    ],
  ])('%j is refused', (inputs, why) => {
    expect(convert(fork(inputs)).problems.join('\n')).toContain(why);
  });
});

describe('SUB_WORKFLOW → type: subDag', () => {
  it('the child Dag by its converted name, the inputs as vars (strings)', () => {
    const r = convert([
      {
        name: 'c',
        taskReferenceName: 'child',
        type: 'SUB_WORKFLOW',
        subWorkflowParam: { name: 'billing_flow', version: 2 },
        inputParameters: { id: '${a.output.id}', opts: { fast: true }, n: 3 },
      },
    ]);
    expect(r.problems).toEqual([]);
    expect(r.task('child')).toEqual({
      id: 'child',
      dependOn: ['a'],
      type: 'subDag',
      subDag: {
        dagName: 'billing-flow',
        vars: { id: '{{tasks.a.output.id}}', opts: '{"fast":true}', n: '3' },
      },
    });
    expect(SubDagSpec.safeParse(r.task('child')?.subDag).success).toBe(true);
  });

  it.each([
    [
      { name: 'c', workflowDefinition: { tasks: [] } },
      'an inline workflowDefinition has no equivalent',
    ],
    [{ name: '${workflow.input.w}' }, "the child workflow's name must be fixed"],
  ])('%j is refused', (subWorkflowParam, why) => {
    const r = convert([
      { name: 'c', taskReferenceName: 'c', type: 'SUB_WORKFLOW', subWorkflowParam },
    ]);
    expect(r.problems.join('\n')).toContain(why);
  });
});

describe('references into a loop', () => {
  it('inside the body a body task is read directly; outside, in the loop output (the last iteration)', () => {
    const r = convert([
      {
        name: 'l',
        taskReferenceName: 'l',
        type: 'DO_WHILE',
        loopCondition: "$.l['iteration'] < 2",
        loopOver: [simple('b1'), simple('b2', { inputParameters: { n: '${b1.output.n}' } })],
      },
      simple('after', { inputParameters: { n: '${b2.output.n}', i: '${l.output.iteration}' } }),
      simple('bad', { inputParameters: { x: '${l.output.1.b1}' } }),
    ]);
    expect(r.task('b2')?.params).toEqual({ n: '{{tasks.b1.output.n}}' });
    expect(r.task('after')?.params).toEqual({
      n: '{{tasks.l.output.outputs.b2.n}}',
      i: '{{tasks.l.output.iteration}}',
    });
    expect(r.problems).toEqual([
      expect.stringContaining("${l.output.1.b1}: a loop's output is its iteration count"),
    ]);
  });
});
