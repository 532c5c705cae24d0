import { describe, expect, it } from 'vitest';
import { convert } from '../../test/support/migrate-fixtures.ts';
import { ACTION_NAME_REQUIRED } from '../api/task-types.ts';

describe('convertFastflowDag reports what the operator would refuse', () => {
  it('reports `action:` instead of `actionName:` with what it did in fastflow', () => {
    const { dag, problems } = convert(
      'typo.yaml',
      'id: t\ntasks:\n- id: task1\n  action: PrintAction\n',
    );
    expect(dag).toBeUndefined();
    expect(problems).toEqual([
      {
        file: 'typo.yaml',
        path: 'tasks[0].action',
        message:
          'unknown field (fastflow ignored it silently: the task failed with "action not found" at run time); did you mean actionName?',
      },
      { file: 'typo.yaml', path: 'tasks[0].actionName', message: ACTION_NAME_REQUIRED },
    ]);
  });

  it('reports the seed README\'s `id: ["task2"]` with the fix', () => {
    const { problems } = convert(
      'readme.yaml',
      'id: test-dag\ntasks:\n- id: "task1"\n  actionName: A\n- id: ["task2"]\n  actionName: A\n  dependOn: ["task1"]\n',
    );
    expect(problems).toEqual([
      {
        file: 'readme.yaml',
        path: 'tasks[1].id',
        message: 'expected string, received array: a one-item list; write id: "task2"',
      },
    ]);
  });

  it('reports graph problems with the operator validation and their field paths', () => {
    const { problems } = convert(
      'cycle.yaml',
      'tasks:\n- {id: a, actionName: X, dependOn: [b]}\n- {id: b, actionName: X, dependOn: [a]}\n- {id: c, actionName: X, dependOn: [nope]}\n',
    );
    expect(problems).toEqual([
      {
        file: 'cycle.yaml',
        path: 'tasks[2].dependOn[0]',
        message: 'task "c" depends on "nope", which is not a task of this Dag',
      },
      { file: 'cycle.yaml', path: 'tasks', message: 'tasks form a cycle: a -> b -> a' },
    ]);
  });

  it('reports graph problems along with schema problems, for one round trip', () => {
    const { problems } = convert(
      'deploy.yaml',
      'tasks:\n- {id: build, action: P}\n- {id: [push], actionName: P, dependOn: [build]}\n- {id: rollout, actionName: P, dependOn: [push, verify]}\n',
    );
    expect(problems.map((p) => p.path)).toEqual([
      'tasks[0].action',
      'tasks[0].actionName',
      'tasks[1].id',
      'tasks[2].dependOn[1]',
    ]);
    expect(problems[3]?.message).toBe(
      'task "rollout" depends on "verify", which is not a task of this Dag',
    );
  });

  it('reports templates the operator would refuse, such as an undeclared {{var}}', () => {
    const { problems } = convert(
      'tpl.yaml',
      'vars: {a: {defaultValue: x}}\ntasks:\n- {id: t, actionName: X, params: {p: "{{b}}", q: "{{a}}"}}\n',
    );
    expect(problems).toEqual([
      {
        file: 'tpl.yaml',
        path: 'tasks[0].params.p',
        message: '{{b}}: var "b" is not declared by the Dag (declared: a)',
      },
    ]);
  });

  it('reports YAML syntax errors with their position, and files that hold no Dag', () => {
    expect(convert('bad.yaml', 'tasks:\n  - id: [a\n  actionName: b\n').problems).toEqual([
      {
        file: 'bad.yaml',
        path: '',
        message: expect.stringMatching(/^YAML syntax error: .* at line 3, column 3$/),
      },
    ]);
    expect(convert('dup.yaml', 'id: a\nid: b\n').problems[0]?.message).toMatch(
      /Map keys must be unique at line 2/,
    );
    expect(convert('empty.yaml', '').problems[0]?.message).toMatch(/the file is empty/);
    expect(convert('list.yaml', '- a\n- b\n').problems[0]?.message).toBe(
      'expected a mapping (a fastflow Dag), found a list',
    );
    expect(convert('notasks.yaml', 'id: x\n').problems).toEqual([
      { file: 'notasks.yaml', path: 'tasks', message: 'required, but missing' },
    ]);
  });

  it('reports a bad preCheck in the shape that was meant, with a precise path', () => {
    const { problems } = convert(
      'pc.yaml',
      'tasks:\n- id: a\n  actionName: X\n  preCheck:\n    x: {act: skip, conditions: [{source: env, key: k, op: in}]}\n' +
        '- id: b\n  actionName: X\n  preCheck:\n  - {act: stop, conditions: [{source: vars, key: k, op: in}]}\n',
    );
    expect(problems.map((p) => p.path)).toEqual([
      'tasks[0].preCheck.x.conditions[0].source',
      'tasks[1].preCheck[0].act',
    ]);
    expect(problems[0]?.message).toContain('"vars"|"share-data"');
  });
});
