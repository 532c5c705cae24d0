import { describe, expect, it } from 'vitest';
import type { InstanceObject, TaskState } from '../bench/instances.ts';
import { account, taskAttempts, type Observed } from './accounting.ts';

function instance(
  name: string,
  phase: string,
  tasks: Record<string, TaskState> = {},
): InstanceObject {
  return { metadata: { name }, status: { phase, tasks } };
}

function observe(finals: InstanceObject[], over: Partial<Observed> = {}): Observed {
  return {
    created: finals.map((f) => f.metadata.name),
    finals: new Map(finals.map((f) => [f.metadata.name, f])),
    progressAt: new Map(),
    faultsEndedAt: 0,
    now: 100_000,
    stuckMs: 60_000,
    ...over,
  };
}

describe('account', () => {
  it('counts terminal phases', () => {
    const a = account(
      observe([
        instance('a', 'Succeeded'),
        instance('b', 'Succeeded'),
        instance('c', 'Failed'),
        instance('d', 'Canceled'),
      ]),
    );
    expect(a).toMatchObject({
      instances: 4,
      succeeded: 2,
      failed: 1,
      canceled: 1,
      lost: 0,
      stuck: 0,
    });
    expect(a.examples.failed).toEqual(['c']);
  });

  it('counts an instance that vanished as lost', () => {
    const a = account({ ...observe([instance('a', 'Succeeded')]), created: ['a', 'gone'] });
    expect(a).toMatchObject({ lost: 1, succeeded: 1 });
    expect(a.examples.lost).toEqual(['gone']);
  });

  it('counts a non-terminal instance without progress for the bound as stuck, else as lost', () => {
    const o = observe([instance('quiet', 'Running'), instance('moving', 'Running')], {
      progressAt: new Map([
        ['quiet', 30_000],
        ['moving', 90_000],
      ]),
      faultsEndedAt: 20_000,
      now: 100_000,
      stuckMs: 60_000,
    });
    expect(account(o)).toMatchObject({ stuck: 1, lost: 1 });
  });

  it('times the stuck bound from the end of the faults when the last progress was earlier', () => {
    const o = observe([instance('a', 'Running')], {
      progressAt: new Map([['a', 0]]),
      faultsEndedAt: 50_000,
      now: 100_000,
      stuckMs: 60_000,
    });
    expect(account(o)).toMatchObject({ stuck: 0, lost: 1 });
  });

  it('counts extra attempts by the reason in history, and those history does not record', () => {
    const a = account(
      observe([
        instance('a', 'Succeeded', {
          t1: {
            phase: 'Succeeded',
            attempt: 3,
            history: [
              { attempt: 1, phase: 'Failed', reason: 'WorkerLost' },
              { attempt: 2, phase: 'Failed', reason: 'ActionFailed' },
            ],
          },
          t2: { phase: 'Succeeded', attempt: 2 },
          t3: { phase: 'Succeeded' },
        }),
      ]),
    );
    expect(a).toMatchObject({
      extraAttempts: 3,
      extraByReason: { WorkerLost: 1, ActionFailed: 1 },
      unaccounted: 1,
      recordedTwice: 0,
    });
    expect(a.examples.unaccounted).toEqual(['a']);
  });
});

describe('taskAttempts', () => {
  it('counts history records dropped past the limit as recorded', () => {
    const history = Array.from({ length: 10 }, (_, i) => ({
      attempt: i + 3,
      phase: 'Failed' as const,
    }));
    expect(
      taskAttempts({ phase: 'Running', attempt: 13, history, historyDropped: 2 }),
    ).toMatchObject({
      extra: 12,
      recorded: 12,
    });
  });

  it('finds an attempt recorded twice', () => {
    const history: TaskState['history'] = [
      { attempt: 1, phase: 'Failed', reason: 'WorkerLost' },
      { attempt: 1, phase: 'Succeeded' },
    ];
    expect(taskAttempts({ phase: 'Succeeded', attempt: 2, history })).toMatchObject({
      extra: 1,
      recorded: 1,
      twice: 1,
      succeeded: 2,
    });
  });
});
