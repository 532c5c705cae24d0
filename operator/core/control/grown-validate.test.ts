import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../api/dag.ts';
import type { LoopSpec } from '../../api/grown-tasks.ts';
import { task } from '../../../test/support/decide-fixtures.ts';
import { validateDag } from '../validate-dag.ts';

// What the operator (Dag status) and `kubectl fastflow lint` say of forEach and loop.

function problemsOf(tasks: TaskSpec[]): string {
  const v = validateDag({ tasks, vars: { env: { defaultValue: 'dev' } } });
  return v.valid ? '' : v.message;
}

const loop = (l: Partial<LoopSpec>, more: Partial<TaskSpec> = {}): TaskSpec => ({
  id: 'poll',
  type: 'loop',
  loop: { body: ['check'], while: 'iteration < 3', maxIterations: 5, ...l },
  ...more,
});

describe('forEach is checked when the Dag is applied', () => {
  it('accepts {{item}}, {{item.<path>}} and {{itemIndex}} in a forEach task only', () => {
    const params = { a: '{{item}}', b: '{{item.name}}', c: 'n{{itemIndex}}' };
    const fan = { ...task('fan'), params, forEach: { items: '[1, 2]' } };
    expect(problemsOf([fan])).toBe('');
    expect(problemsOf([{ ...task('plain'), params: { a: '{{item}}' } }])).toContain(
      'item and itemIndex are read by a task with forEach',
    );
  });

  it('refuses a bad items expression, or one that cannot give a list, with the field path', () => {
    expect(problemsOf([{ ...task('fan'), forEach: { items: 'vars.env ==' } }])).toContain(
      'spec.tasks[0].forEach.items: vars.env ==:',
    );
    expect(problemsOf([{ ...task('fan'), forEach: { items: '1 + 2' } }])).toContain(
      'gives int; it must give a list',
    );
  });

  it('refuses forEach on a system task other than subDag', () => {
    const sw: TaskSpec = {
      id: 'sw',
      type: 'switch',
      switch: { expression: '"a"', cases: {} },
      forEach: { items: '[1]' },
    };
    expect(problemsOf([sw])).toContain('forEach is only for an action or subDag task');
  });
});

describe('a loop is checked when the Dag is applied', () => {
  const body = [task('check'), task('note', ['check'])];

  it('accepts a body that depends only on itself, and a while over iteration and tasks', () => {
    const l = loop({ body: ['check', 'note'], while: 'iteration < 3 && tasks.note.output != "x"' });
    expect(problemsOf([task('a'), { ...l, dependOn: ['a'] }, ...body, task('z', ['poll'])])).toBe(
      '',
    );
  });

  it.each([
    [
      'a body id not in the Dag',
      [loop({ body: ['check', 'ghost'] }), ...body],
      'lists "ghost", which is not a task',
    ],
    [
      'a body task depended on from outside',
      [loop({}), ...body],
      'task "note" depends on body task "check"',
    ],
    [
      'a body task depending on a task outside',
      [task('a'), loop({}), { ...task('check', ['a']) }],
      'depends on "a", outside the body',
    ],
    [
      'a task in two loops',
      [loop({}), { ...loop({}), id: 'again' }, task('check')],
      'is in the body of loops "poll" and "again"',
    ],
    [
      'a loop in a loop body',
      [loop({ body: ['inner'] }), { ...loop({ body: ['check'] }), id: 'inner' }, task('check')],
      'loops do not nest',
    ],
    [
      'a while that is not a bool',
      [loop({ while: 'iteration + 1' }), task('check')],
      'gives int, not a bool',
    ],
    [
      'a while that does not parse',
      [loop({ while: 'iteration <' }), task('check')],
      'spec.tasks[0].loop.while',
    ],
  ])('refuses %s', (_what, tasks, said) => {
    expect(problemsOf(tasks)).toContain(said);
  });
});
