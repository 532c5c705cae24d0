import { describe, expect, it } from 'vitest';
import { convertConductorFiles, convertWorkflow } from './convert.ts';

type Def = Record<string, unknown>;

const simple = (ref: string, extra: Def = {}): Def => ({
  name: 'print',
  taskReferenceName: ref,
  ...extra,
});

/** Converts `tasks` (after a task `a`, before a task `z`): the Dag written and what was said. */
function convert(tasks: Def[], extra: Def = {}) {
  const one = convertWorkflow(
    { name: 'flow', tasks: [simple('a'), ...tasks, simple('z')], ...extra },
    [],
    'flow.json',
  );
  return {
    spec: one.dag?.manifest.spec,
    problems: one.problems.map((p) => `${p.path}: ${p.message}`),
  };
}

describe('what does not convert is named with the task and the reason, and the rest converts', () => {
  it.each([
    [
      'INLINE',
      { evaluatorType: 'graaljs', expression: 'function f() {}' },
      'not one expression jq can say',
    ],
    ['KAFKA_PUBLISH', { kafka_request: { topic: 't' } }, 'no Kafka built-in'],
    ['EVENT', {}, 'no event sinks'],
    ['DYNAMIC', {}, 'chosen at run time'],
    ['START_WORKFLOW', {}, 'fire-and-forget'],
    ['JDBC', {}, 'no JDBC built-in'],
    ['BUSINESS_RULE', {}, "Conductor's BUSINESS_RULE has no equivalent"],
  ])('%s', (type, inputParameters, why) => {
    const { spec, problems } = convert([
      { name: 'odd', taskReferenceName: 'odd', type, inputParameters },
    ]);
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^tasks\\[1\\]\\.(type|inputParameters\\.expression): task "odd" \\(${type}\\) does not convert: .*${why}`,
        ),
      ),
    ]);
    // The graph keeps its shape: an action task of the task's name stands in for it.
    expect(spec?.tasks.map((t) => [t.id, t.actionName, t.dependOn ?? []])).toEqual([
      ['a', 'print', []],
      ['odd', 'odd', ['a']],
      ['z', 'print', ['odd']],
    ]);
    expect(spec?.tasks[1]?.desc).toBe(`not converted from Conductor's ${type}`);
  });

  it('a dynamic fork of task definitions made at run time', () => {
    const { spec, problems } = convert([
      {
        name: 'dyn',
        taskReferenceName: 'dyn',
        type: 'FORK_JOIN_DYNAMIC',
        dynamicForkTasksParam: 'tasks',
        dynamicForkTasksInputParamName: 'inputs',
        inputParameters: { tasks: '${a.output.tasks}', inputs: '${a.output.inputs}' },
      },
      { name: 'j', taskReferenceName: 'j', type: 'JOIN' },
    ]);
    expect(problems).toEqual([
      expect.stringContaining(
        'tasks[1].dynamicForkTasksParam: dynamic fork "dyn" does not convert: it forks a list of task definitions made at run time',
      ),
    ]);
    expect(spec?.tasks.find((t) => t.id === 'z')?.dependOn).toEqual(['dyn']);
  });

  it.each([
    [
      'a credential header',
      {
        type: 'HTTP',
        inputParameters: {
          http_request: {
            uri: 'https://x',
            headers: { Authorization: 'Bearer ${workflow.input.t}' },
          },
        },
      },
      'tasks[1].inputParameters.http_request.headers.Authorization: HTTP task "t" : the Authorization header is a credential',
    ],
    [
      'an HTTP task with no uri',
      { type: 'HTTP', inputParameters: { http_request: {} } },
      'http_request.uri: HTTP task "t": no uri',
    ],
    [
      'asyncComplete HTTP',
      { type: 'HTTP', inputParameters: { uri: 'https://x', asyncComplete: true } },
      'asyncComplete has no equivalent',
    ],
    [
      'a wait computed at run time',
      { type: 'WAIT', inputParameters: { duration: '${workflow.input.d}' } },
      'a duration computed at run time',
    ],
    [
      'a wait in an ambiguous zone',
      { type: 'WAIT', inputParameters: { until: '2030-01-01 10:00 PST' } },
      'ambiguous',
    ],
    [
      'a terminate with no status',
      { type: 'TERMINATE', inputParameters: {} },
      'terminationStatus must be COMPLETED, FAILED or TERMINATED',
    ],
    [
      'a reference to no task',
      { inputParameters: { x: '${nope.output.x}' } },
      'tasks[1].inputParameters.x: ${nope.output.x}: no task "nope" in this workflow',
    ],
    [
      'a reference to the workflow id',
      { inputParameters: { x: '${workflow.workflowId}' } },
      "the workflow's workflowId has no equivalent",
    ],
    [
      'a task input',
      { inputParameters: { x: '${a.input.x}' } },
      "only a task's output is recorded",
    ],
    [
      'HTTP response headers',
      { inputParameters: { x: '${h.output.response.headers}' } },
      'keeps no response headers',
    ],
  ])('%s', (_, task, message) => {
    const extra: Def[] = [
      { name: 'h', taskReferenceName: 'h', type: 'HTTP', inputParameters: { uri: 'https://x' } },
    ];
    const { spec, problems } = convert([{ name: 'n', taskReferenceName: 't', ...task }, ...extra]);
    expect(problems.join('\n')).toContain(message.replace('"t" :', '"t":'));
    expect(spec?.tasks.map((t) => t.id)).toEqual(['a', 't', 'h', 'z']);
  });

  it('a switch expression that does not convert picks the default case', () => {
    const { spec, problems } = convert([
      {
        name: 's',
        taskReferenceName: 's',
        type: 'SWITCH',
        evaluatorType: 'javascript',
        expression: '$.x.toUpperCase()',
        inputParameters: { x: 'a' },
        decisionCases: { A: [simple('b')] },
      },
    ]);
    expect(problems).toEqual([
      'tasks[1].expression: switch "s": the expression does not convert to CEL: "$.x.toUpperCase()" (CallExpression) has no CEL form here; it was written to pick the default case',
    ]);
    expect(spec?.tasks[1]?.switch?.expression).toBe('"not converted: $.x.toUpperCase()"');
  });

  it('a case named default, a joinOn of no task, a reused or missing reference', () => {
    const { problems } = convert([
      {
        name: 's',
        taskReferenceName: 's',
        type: 'SWITCH',
        expression: 'k',
        inputParameters: { k: 'x' },
        decisionCases: { default: [] },
      },
      { name: 'j', taskReferenceName: 'j', type: 'JOIN', joinOn: ['ghost'] },
      simple('a'),
      { name: 'nameless' },
    ]);
    expect(problems).toEqual([
      'tasks[3].taskReferenceName: "a" is used twice',
      'tasks[4].taskReferenceName: required: every task needs one',
      'tasks[1].decisionCases.default: switch "s": a case named "default" has no equivalent (default is the default branch): rename it',
      'tasks[2].joinOn[0]: joinOn names no task of this workflow: "ghost"',
    ]);
  });

  it('a JOIN’s whole output after a static fork', () => {
    const { problems } = convert([
      { name: 'f', taskReferenceName: 'f', type: 'FORK_JOIN', forkTasks: [[simple('b1')]] },
      { name: 'j', taskReferenceName: 'j', type: 'JOIN', joinOn: ['b1'] },
      simple('c', { inputParameters: { all: '${j.output}', fork: '${f.output}' } }),
    ]);
    expect(problems).toEqual([
      expect.stringContaining(
        "${j.output}: a JOIN's whole output (a map of its branches' outputs) has no equivalent",
      ),
      expect.stringContaining('${f.output}: a FORK_JOIN has no output'),
    ]);
  });
});

describe('what makes no Dag', () => {
  it('a workflow without a usable name or tasks, a file that is not JSON, an empty list', () => {
    const r = convertConductorFiles([
      { path: 'a.json', text: '{"tasks": []}' },
      { path: 'b.json', text: '{"name": "__", "tasks": []}' },
      { path: 'c.json', text: '{"name": "c", "tasks": []}' },
      { path: 'd.json', text: '{nope' },
      { path: 'e.json', text: '[]' },
      { path: 'f.json', text: '[1]' },
    ]);
    expect(r.dags).toEqual([]);
    expect(r.problems.map((p) => `${p.file}: ${p.path}: ${p.message}`)).toEqual([
      'a.json: name: a workflow needs a name with a letter or digit (the Dag is named after it)',
      'b.json: name: a workflow needs a name with a letter or digit (the Dag is named after it)',
      'c.json: tasks: a workflow needs tasks',
      expect.stringMatching(/^c\.json: spec\.tasks: the converted Dag c: /),
      expect.stringMatching(/^d\.json: : not JSON: /),
      'e.json: : an empty list: no workflow to convert',
      'f.json: [0]: expected a workflow definition, found number 1',
    ]);
  });

  it('two workflows that make the same Dag name', () => {
    const one = (name: string): string => JSON.stringify({ name, tasks: [simple('a')] });
    const r = convertConductorFiles([
      { path: 'x.json', text: `[${one('my_flow')}, ${one('my-flow')}]` },
    ]);
    expect(r.dags.map((d) => d.manifest.metadata.name)).toEqual(['my-flow']);
    expect(r.problems).toEqual([
      {
        file: 'x.json',
        path: '[1].name',
        message: 'Dag name "my-flow" is already used by the workflow in x.json',
      },
    ]);
  });
});
