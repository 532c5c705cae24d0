import { describe, expect, it } from 'vitest';
import { MAX_TASKS, type DagSpec, type TaskSpec } from '../api/dag.ts';
import { validateDag } from './validate-dag.ts';

describe('validateDag', () => {
  it('returns the graph of a valid Dag', () => {
    const spec: DagSpec = {
      tasks: [
        { id: 'b', actionName: 'A', dependOn: ['a'] },
        { id: 'a', actionName: 'A' },
      ],
    };
    const result = validateDag(spec);
    expect(result.valid).toBe(true);
    if (result.valid) expect(result.graph.order).toEqual(['a', 'b']);
  });

  it.each([
    {
      name: 'unknown dependency',
      tasks: [{ id: 'a', actionName: 'A', dependOn: ['x'] }],
      reason: 'UnknownDependency',
      message:
        'spec.tasks[0].dependOn[0]: task "a" depends on "x", which is not a task of this Dag',
    },
    {
      name: 'cycle',
      tasks: [
        { id: 'a', actionName: 'A', dependOn: ['b'] },
        { id: 'b', actionName: 'A', dependOn: ['a'] },
      ],
      reason: 'CycleDetected',
      message: 'spec.tasks: tasks form a cycle: a -> b -> a',
    },
  ])('refuses a Dag with a $name, naming the path', ({ tasks, reason, message }) => {
    expect(validateDag({ tasks })).toEqual({ valid: false, reason, message });
  });

  it('joins every problem into one message; the reason is the first one', () => {
    const result = validateDag({
      tasks: [
        { id: 'a', actionName: 'A', dependOn: ['a'] },
        { id: 'a', actionName: 'A' },
        { id: 'b', actionName: 'A', dependOn: ['zz'] },
      ],
    });
    expect(result.valid).toBe(false);
    if (result.valid) return;
    expect(result.reason).toBe('DuplicateTaskId');
    expect(result.message.split('; ').map((m) => m.split(':')[0])).toEqual([
      'spec.tasks[1].id',
      'spec.tasks[0].dependOn[0]',
      'spec.tasks[2].dependOn[0]',
    ]);
  });

  describe('at the size admission no longer checks (MAX_TASKS tasks, any fan-in)', () => {
    /** root -> n - 2 children -> one join of them all. */
    const wide = (n: number): TaskSpec[] => {
      const middle = Array.from({ length: n - 2 }, (_, i) => `w${i}`);
      return [
        { id: 'root', actionName: 'A' },
        ...middle.map((id) => ({ id, actionName: 'A', dependOn: ['root'] })),
        { id: 'join', actionName: 'A', dependOn: middle },
      ];
    };

    it(`accepts a ${MAX_TASKS}-task Dag whose join depends on all the others`, () => {
      const result = validateDag({ tasks: wide(MAX_TASKS) });
      expect(result.valid).toBe(true);
      if (result.valid) expect(result.graph.parents.get('join')).toHaveLength(MAX_TASKS - 2);
    });

    it.each([
      {
        name: 'a self-dependency (once a CEL rule)',
        edit: (t: TaskSpec[]) => t[4321]?.dependOn?.push('w4320'),
        reason: 'SelfDependency',
        message: 'spec.tasks[4321].dependOn[1]: task "w4320" depends on itself',
      },
      {
        name: 'a dangling dependOn',
        edit: (t: TaskSpec[]) => t[4999]?.dependOn?.push('ghost'),
        reason: 'UnknownDependency',
        message: 'spec.tasks[4999].dependOn[4998]: task "join" depends on "ghost"',
      },
      {
        name: 'a cycle through the join',
        edit: (t: TaskSpec[]) => t[0] && (t[0].dependOn = ['join']),
        reason: 'CycleDetected',
        message: 'spec.tasks: tasks form a cycle: ',
      },
    ])('refuses $name among 5,000 tasks, naming the field', ({ edit, reason, message }) => {
      const tasks = wide(5000);
      edit(tasks);
      const result = validateDag({ tasks });
      expect(result).toMatchObject({ valid: false, reason });
      if (!result.valid) expect(result.message).toContain(message);
    });
  });
});
