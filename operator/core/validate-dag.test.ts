import { describe, expect, it } from 'vitest';
import type { DagSpec } from '../api/dag.ts';
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
});
