import { describe, expect, it } from 'vitest';
import type { DagSpec, TaskSpec } from '../api/dag.ts';
import { simulate, type SimulateInput, type SimulateResult } from './simulate.ts';

const T0 = new Date('2026-05-01T10:00:00.000Z');
const act = (id: string, dependOn: string[] = [], more: Partial<TaskSpec> = {}): TaskSpec => ({
  id,
  actionName: 'print',
  ...(dependOn.length ? { dependOn } : {}),
  ...more,
});

function run(spec: DagSpec, more: Partial<SimulateInput> = {}) {
  const result = simulate({ spec, start: T0, ...more });
  if (!result.ok) throw new Error(result.message);
  return result;
}

/** For each pass that started tasks: the ids started (assigned, or decided by the operator). */
function starts(result: Extract<SimulateResult, { ok: true }>): string[][] {
  return result.steps
    .map((s) => s.events.filter((e) => e.phase === 'Scheduled').map((e) => e.task))
    .filter((ids) => ids.length > 0);
}

const phaseOf = (r: Extract<SimulateResult, { ok: true }>, id: string) =>
  r.status.tasks?.[id]?.phase;

describe('simulate', () => {
  it('runs a chain one task per step and succeeds', () => {
    const r = run({ tasks: [act('a'), act('b', ['a']), act('c', ['b'])] });
    expect(starts(r)).toEqual([['a'], ['b'], ['c']]);
    expect(r.phase).toBe('Succeeded');
    expect(r.gaveUp).toBe(false);
  });

  it('starts the two sides of a diamond together and joins after both', () => {
    const r = run({
      tasks: [
        act('top'),
        act('left', ['top']),
        act('right', ['top']),
        act('join', ['left', 'right']),
      ],
    });
    expect(starts(r)).toEqual([['top'], ['left', 'right'], ['join']]);
    expect(r.phase).toBe('Succeeded');
  });

  it('retries a failing task under its policy and fails when the attempts run out', () => {
    const spec = {
      tasks: [
        act('a', [], { retry: { limit: 2, backoff: { seconds: 5, factor: 1 } } }),
        act('b', ['a']),
      ],
    };
    const r = run(spec, { fail: new Map([['a', Infinity]]) });
    const attempts = r.steps.flatMap((s) =>
      s.events.filter((e) => e.task === 'a' && e.phase === 'Failed').map((e) => e.attempt),
    );
    expect(attempts).toEqual([1, 2, 3]);
    expect(r.steps.some((s) => s.events.some((e) => e.phase === 'Retrying'))).toBe(true);
    expect(r.phase).toBe('Failed');
    expect(phaseOf(r, 'b')).toBeUndefined();
    // The backoff is waited for on the simulated clock, not on the wall.
    const last = r.steps.at(-1)?.at.getTime() ?? 0;
    expect(last - T0.getTime()).toBeGreaterThanOrEqual(10_000);
  });

  it('fails only the first attempts of --fail TASK:N, then succeeds', () => {
    const spec = { tasks: [act('a', [], { retry: { limit: 3 } }), act('b', ['a'])] };
    const r = run(spec, { fail: new Map([['a', 2]]) });
    expect(r.status.tasks?.['a']).toMatchObject({ phase: 'Succeeded', attempt: 3 });
    expect(r.phase).toBe('Succeeded');
  });

  it('skips a task whose preCheck holds for the vars given, and blocks one that blocks', () => {
    const tasks: TaskSpec[] = [
      act('a', [], {
        preCheck: [
          { act: 'skip', conditions: [{ source: 'vars', key: 'env', op: 'eq', values: ['dev'] }] },
        ],
      }),
      act('b', ['a']),
      act('c', [], {
        preCheck: [
          { act: 'block', conditions: [{ source: 'vars', key: 'env', op: 'eq', values: ['dev'] }] },
        ],
      }),
    ];
    const spec = { vars: { env: { defaultValue: 'prod' } }, tasks };
    expect(run(spec).phase).toBe('Succeeded');
    const dev = run(spec, { vars: { env: 'dev' } });
    expect(phaseOf(dev, 'a')).toBe('Skipped');
    expect(phaseOf(dev, 'b')).toBe('Succeeded');
    expect(phaseOf(dev, 'c')).toBe('Blocked');
    expect(dev.phase).toBe('Blocked');
  });

  it('takes the branch a switch picks from an output given with --output', () => {
    const tasks: TaskSpec[] = [
      act('plan'),
      {
        id: 'route',
        type: 'switch',
        dependOn: ['plan'],
        switch: {
          expression: 'tasks.plan.output.env',
          cases: { prod: ['deploy'] },
          default: ['dev'],
        },
      },
      act('deploy', ['route']),
      act('dev', ['route']),
    ];
    const r = run({ tasks }, { outputs: new Map([['plan', { env: 'prod' }]]) });
    expect(phaseOf(r, 'deploy')).toBe('Succeeded');
    expect(phaseOf(r, 'dev')).toBe('Skipped');
    expect(r.status.tasks?.['route']?.output).toEqual({
      selectedCase: 'prod',
      evaluationResult: 'prod',
    });
  });

  it('ends the instance at a terminate task, canceling what runs', () => {
    const tasks: TaskSpec[] = [
      act('slow'),
      { id: 'stop', type: 'terminate', terminate: { phase: 'Failed', reason: 'enough' } },
      act('after', ['stop']),
    ];
    const r = run({ tasks });
    expect(r.phase).toBe('Failed');
    expect(r.message).toContain('terminated by task stop');
    expect(phaseOf(r, 'after')).toBeUndefined();
  });

  it('lets the instance succeed past an optional task that fails', () => {
    const tasks = [act('lint', [], { optional: true }), act('ship', ['lint'])];
    const r = run({ tasks }, { fail: new Map([['lint', Infinity]]) });
    expect(phaseOf(r, 'lint')).toBe('Failed');
    expect(phaseOf(r, 'ship')).toBe('Succeeded');
    expect(r.phase).toBe('Succeeded');
  });

  it('approves approvals unless rejected, and passes waits at once', () => {
    const tasks: TaskSpec[] = [
      { id: 'pause', type: 'wait', wait: { duration: '2h' } },
      { id: 'gate', type: 'approval', dependOn: ['pause'], approval: { message: 'ship?' } },
      { id: 'tag', type: 'wait', dependOn: ['gate'] },
      act('ship', ['tag']),
    ];
    const ok = run({ tasks }, { outputs: new Map([['tag', { v: 1 }]]) });
    expect(ok.phase).toBe('Succeeded');
    expect(ok.status.tasks?.['tag']?.output).toEqual({ v: 1 });
    expect(ok.status.tasks?.['gate']?.output).toMatchObject({ approved: true, by: 'simulate' });
    const no = run({ tasks }, { reject: new Set(['gate']) });
    expect(phaseOf(no, 'gate')).toBe('Failed');
    expect(no.phase).toBe('Failed');
  });

  it('runs a subDag task as one unit: its child succeeds with --output, or fails with --fail', () => {
    const tasks: TaskSpec[] = [
      { id: 'child', type: 'subDag', subDag: { dagName: 'other' } },
      act('after', ['child']),
    ];
    const ok = run({ tasks }, { outputs: new Map([['child', { n: 1 }]]) });
    expect(ok.phase).toBe('Succeeded');
    expect(ok.status.tasks?.['child']).toMatchObject({ phase: 'Succeeded', output: { n: 1 } });
    const failed = run({ tasks }, { fail: new Map([['child', Infinity]]) });
    expect(failed.status.tasks?.['child']).toMatchObject({
      phase: 'Failed',
      reason: 'ChildFailed',
    });
    expect(failed.phase).toBe('Failed');
  });

  it('refuses an invalid Dag and vars the Dag does not declare, saying why', () => {
    const cyclic = simulate({ spec: { tasks: [act('a', ['b']), act('b', ['a'])] }, start: T0 });
    expect(cyclic).toMatchObject({ ok: false, message: expect.stringContaining('cycle') });
    const vars = simulate({ spec: { tasks: [act('a')] }, vars: { nope: '1' }, start: T0 });
    expect(vars).toMatchObject({ ok: false, message: expect.stringContaining('"nope"') });
  });

  it('gives up after its pass limit and says so', () => {
    const spec = { tasks: [act('a', [], { retry: { limit: 1000 } })] };
    const r = run(spec, { fail: new Map([['a', Infinity]]), maxPasses: 10 });
    expect(r.gaveUp).toBe(true);
  });
});
