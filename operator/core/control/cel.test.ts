import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../../api/dag-instance.ts';
import { evaluateCel, type CelSources } from './cel.ts';

const done = (output: unknown): TaskStatus => ({ phase: 'Succeeded', output });

/** An entry whose output must never be read: converting it would throw. */
function unreadable(): TaskStatus {
  return {
    phase: 'Succeeded',
    get output(): unknown {
      throw new Error('an unread output was converted');
    },
  };
}

function sources(tasks: Record<string, TaskStatus>): CelSources {
  return { vars: { env: 'prod' }, shareData: { k: 'v' }, tasks };
}

describe('evaluateCel', () => {
  it('converts only the tasks the expression names', () => {
    const tasks = { a: done({ n: 2 }), b: done({ s: 'x' }), huge: unreadable() };
    expect(evaluateCel('tasks.a.output.n + 1', sources(tasks))).toEqual({ ok: true, value: 3n });
    expect(evaluateCel("tasks['b'].output.s", sources(tasks))).toEqual({ ok: true, value: 'x' });
    expect(evaluateCel('has(tasks.a.output.n)', sources(tasks))).toEqual({ ok: true, value: true });
    expect(evaluateCel('[1, 2].map(x, x * tasks.a.output.n)', sources(tasks))).toEqual({
      ok: true,
      value: [2n, 4n],
    });
    expect(evaluateCel('tasks.b.phase', sources(tasks))).toEqual({ ok: true, value: 'Succeeded' });
    expect(evaluateCel('vars.env + shareData.k', sources(tasks))).toEqual({
      ok: true,
      value: 'prodv',
    });
  });

  it('reports a task absent from the status as CEL does', () => {
    const result = evaluateCel('tasks.missing.output', sources({ huge: unreadable() }));
    expect(result.ok).toBe(false);
    expect(evaluateCel('has(tasks.missing)', sources({ huge: unreadable() }))).toEqual({
      ok: true,
      value: false,
    });
  });

  it('converts every task when the expression reads the whole map', () => {
    const tasks = { a: done({ n: 2 }), b: done({ n: 5 }) };
    expect(evaluateCel('tasks.exists(k, tasks[k].output.n > 4)', sources(tasks))).toEqual({
      ok: true,
      value: true,
    });
    expect(evaluateCel("tasks[vars.env == 'prod' ? 'b' : 'a'].output.n", sources(tasks))).toEqual({
      ok: true,
      value: 5n,
    });
    // A read of the whole map cannot know which outputs it needs: all are converted.
    const withHuge = { ...tasks, huge: unreadable() };
    expect(() => evaluateCel('size(tasks)', sources(withHuge))).toThrow('unread output');
  });
});
