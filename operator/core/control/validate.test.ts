import { describe, expect, it } from 'vitest';
import { DagSpec, type TaskSpec } from '../../api/dag.ts';
import { ACTION_NAME_REQUIRED } from '../../api/task-types.ts';
import { describeZodError } from '../../api/objects.ts';
import { task } from '../../../test/support/decide-fixtures.ts';
import { validateDag } from '../validate-dag.ts';

/** What the operator says of a Dag (Dag status message), as `kubectl fastflow lint` does. */
function problemsOf(tasks: TaskSpec[], vars?: DagSpec['vars']): string {
  const v = validateDag({ tasks, ...(vars ? { vars } : {}) });
  return v.valid ? '' : v.message;
}

const sw = (s: Partial<NonNullable<TaskSpec['switch']>>): TaskSpec => ({
  id: 'sw',
  type: 'switch',
  dependOn: ['a'],
  switch: { expression: 'vars.env', cases: {}, ...s },
});

describe('system task specs are checked when the Dag is applied', () => {
  it('refuses an action task without actionName, naming the types that need none', () => {
    const parsed = DagSpec.safeParse({ tasks: [{ id: 'a' }, { id: 'b', type: 'action' }] });
    expect(parsed.success).toBe(false);
    const text = describeZodError(parsed.error!, 'spec');
    expect(text).toContain(`spec.tasks[0].actionName: ${ACTION_NAME_REQUIRED}`);
    expect(text).toContain(`spec.tasks[1].actionName: ${ACTION_NAME_REQUIRED}`);
    expect(
      DagSpec.safeParse({ tasks: [{ id: 'a', type: 'terminate', terminate: { phase: 'Failed' } }] })
        .success,
    ).toBe(true);
  });

  it('refuses a bad CEL expression, with the field path', () => {
    for (const [expression, said] of [
      ['vars.env ==', 'Unexpected token: EOF'],
      ['env == "prod"', 'Unknown variable: env'],
      ['vars.env + 1', 'no such overload: string + int'],
    ]) {
      expect(problemsOf([task('a'), sw({ expression })])).toBe(
        `spec.tasks[1].switch.expression: ${expression}: ${said}`,
      );
    }
  });

  it('refuses a branch naming no task, a task not after the switch, and a case named default', () => {
    const message = problemsOf([
      task('a'),
      sw({ cases: { prod: ['nope'], default: ['b'] }, default: ['a'] }),
      task('b', ['sw']),
    ]);
    expect(message.split('; ')).toEqual([
      'spec.tasks[1].switch.cases.default: "default" is not a case name: list its tasks under switch.default',
      'spec.tasks[1].switch.cases.prod[0]: switch "sw" lists "nope", which is not a task of this Dag',
      'spec.tasks[1].switch.default[0]: task "a" is in a branch of switch "sw": it must depend on it (directly or through other tasks)',
    ]);
  });

  it('refuses a system task without its field, or with another type’s field or actionName', () => {
    expect(problemsOf([{ id: 'a', type: 'switch' }])).toBe(
      'spec.tasks[0].switch: task "a" of type switch needs switch: {expression, cases}',
    );
    expect(
      problemsOf([
        {
          id: 'a',
          type: 'terminate',
          actionName: 'X',
          terminate: { phase: 'Failed' },
          setVars: {},
        },
      ]),
    ).toBe(
      [
        'spec.tasks[0].setVars: task "a" is of type terminate: setVars is only for type setVars',
        'spec.tasks[0].actionName: task "a" is of type terminate: actionName is only for type action',
      ].join('; '),
    );
    expect(problemsOf([{ ...task('a'), terminate: { phase: 'Failed' } }])).toBe(
      'spec.tasks[0].terminate: task "a" is of type action: terminate is only for type terminate',
    );
    expect(problemsOf([{ id: 'a', type: 'terminate' }])).toContain('needs terminate: {phase');
    expect(problemsOf([{ id: 'a', type: 'setVars' }])).toContain('needs setVars: {var: value');
  });

  it('refuses setVars of an undeclared var, and bad templates in what the operator renders', () => {
    expect(
      problemsOf([{ id: 'a', type: 'setVars', setVars: { env: 'x', other: '1' } }], { env: {} }),
    ).toBe(
      'spec.tasks[0].setVars.other: setVars sets "other", which the Dag does not declare in spec.vars (declared: env)',
    );
    expect(
      problemsOf([
        task('a'),
        {
          id: 'end',
          type: 'terminate',
          terminate: { phase: 'Failed', output: { v: '{{tasks.b.output}}' } },
        },
      ]),
    ).toContain('spec.tasks[1].terminate.output.v');
    expect(
      problemsOf([{ id: 'a', type: 'setVars', setVars: { env: '{{nope}}' } }], { env: {} }),
    ).toContain('spec.tasks[0].setVars.env');
  });
});
