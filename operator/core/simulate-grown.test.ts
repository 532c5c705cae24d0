import { describe, expect, it } from 'vitest';
import type { DagSpec } from '../api/dag.ts';
import { simulate, type SimulateInput } from './simulate.ts';

// --fail and --output name grown keys: one copy (`fan[2]`), one iteration
// (`step#3`), or, by the Dag task's id, every copy or iteration.

const T0 = new Date('2026-05-01T10:00:00.000Z');

function run(spec: DagSpec, more: Partial<SimulateInput> = {}) {
  const result = simulate({ spec, start: T0, ...more });
  if (!result.ok) throw new Error(result.message);
  return result;
}

const fanOut: DagSpec = {
  tasks: [{ id: 'fan', actionName: 'print', forEach: { items: '[0, 1, 2, 3]' } }],
};
const loop: DagSpec = {
  tasks: [
    {
      id: 'poll',
      type: 'loop',
      loop: { body: ['step'], while: 'tasks.step.output.again', maxIterations: 5 },
    },
    { id: 'step', actionName: 'print' },
  ],
};

describe('simulate with grown keys', () => {
  it('--fail fan[2] fails that copy only', () => {
    const r = run(fanOut, { fail: new Map([['fan[2]', Infinity]]) });
    expect(r.status.tasks?.['fan[2]']).toMatchObject({
      phase: 'Failed',
      message: 'failed by --fail fan[2] (every attempt)',
    });
    expect(r.status.tasks?.['fan[1]']?.phase).toBe('Succeeded');
    expect(r.phase).toBe('Failed');
  });

  it('--fail fan fails every copy', () => {
    const r = run(fanOut, { fail: new Map([['fan', Infinity]]) });
    expect(r.status.tasks?.['fan[0]']?.message).toBe('failed by --fail fan (every attempt)');
  });

  it('--output step gives every iteration its output, step#3 the third its own', () => {
    const outputs = new Map<string, unknown>([
      ['step', { again: true }],
      ['step#3', { again: false }],
    ]);
    const r = run(loop, { outputs });
    expect(r.status.tasks?.['poll']).toMatchObject({ phase: 'Succeeded', iteration: 3 });
    expect(r.status.tasks?.['step#2']?.output).toEqual({ again: true });
  });

  it('an approval in a loop body is signalled under its iteration key; --reject gate#2 rejects that one', () => {
    const spec: DagSpec = {
      tasks: [
        {
          id: 'poll',
          type: 'loop',
          loop: { body: ['gate'], while: 'iteration < 3', maxIterations: 3 },
        },
        { id: 'gate', type: 'approval' },
      ],
    };
    expect(run(spec).status.tasks?.['poll']).toMatchObject({ phase: 'Succeeded', iteration: 3 });
    const r = run(spec, { reject: new Set(['gate#2']) });
    expect(r.status.tasks?.['gate#1']?.phase).toBe('Succeeded');
    expect(r.status.tasks?.['gate#2']?.phase).toBe('Failed');
    expect(r.phase).toBe('Failed');
  });
});
