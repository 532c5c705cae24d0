import { describe, expect, it } from 'vitest';
import {
  ACTIVE_TASK_PHASES,
  DagInstanceSpec,
  DagInstanceStatus,
  TASK_PHASES,
  TERMINAL_INSTANCE_PHASES,
  TERMINAL_TASK_PHASES,
  TaskStatus,
  instanceFinished,
} from './dag-instance.ts';

describe('DagInstanceSpec', () => {
  it.each([
    { name: 'a Dag reference alone', spec: { dagRef: { name: 'test-dag' } } },
    {
      name: 'vars, including an empty string',
      spec: { dagRef: { name: 'd' }, vars: { fileName: '', x: 'y' } },
    },
  ])('accepts $name', ({ spec }) => {
    expect(DagInstanceSpec.parse(spec)).toEqual(spec);
  });

  it.each([
    { name: 'no dagRef', spec: {}, path: ['dagRef'] },
    {
      name: 'a dagRef that is not a DNS name',
      spec: { dagRef: { name: 'Test_Dag' } },
      path: ['dagRef', 'name'],
    },
    { name: 'an unknown key', spec: { dagRef: { name: 'd' }, dag: 'd' }, path: [] },
    {
      name: 'a non-string var value',
      spec: { dagRef: { name: 'd' }, vars: { n: 3 } },
      path: ['vars', 'n'],
    },
    {
      name: 'a bad var name',
      spec: { dagRef: { name: 'd' }, vars: { '9': 'x' } },
      path: ['vars', '9'],
    },
  ])('rejects $name with its path', ({ spec, path }) => {
    const result = DagInstanceSpec.safeParse(spec);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });
});

describe('TaskStatus and DagInstanceStatus', () => {
  it('accepts what decide writes', () => {
    const status = {
      phase: 'Running',
      startTime: '2026-01-01T00:00:00.000Z',
      progress: '1/3',
      tasks: {
        a: {
          phase: 'Succeeded',
          worker: 'w-1',
          attempt: 1,
          finishedAt: '2026-01-01T00:00:01.123Z',
        },
        b: {
          phase: 'Scheduled',
          worker: 'w-2',
          attempt: 2,
          scheduledAt: '2026-01-01T00:00:01.200Z',
        },
        c: { phase: 'Pending', reason: 'NoWorkerForAction', message: 'waiting' },
      },
      conditions: [
        {
          type: 'Succeeded',
          status: 'Unknown',
          reason: 'Running',
          message: '1/3 tasks finished',
          lastTransitionTime: '2026-01-01T00:00:00.000Z',
        },
      ],
    };
    expect(DagInstanceStatus.safeParse(status).success).toBe(true);
  });

  it.each([
    { name: 'unknown phase', status: { phase: 'Done' }, path: ['phase'] },
    { name: 'attempt 0', status: { phase: 'Scheduled', attempt: 0 }, path: ['attempt'] },
    {
      name: 'a timestamp without zone',
      status: { phase: 'Running', startedAt: '2026-01-01T00:00:00' },
      path: ['startedAt'],
    },
  ])('TaskStatus rejects $name', ({ status, path }) => {
    expect(TaskStatus.safeParse(status).error?.issues[0]?.path).toEqual(path);
  });

  it('classifies phases consistently', () => {
    for (const phase of TASK_PHASES) {
      expect(TERMINAL_TASK_PHASES.has(phase) && ACTIVE_TASK_PHASES.has(phase)).toBe(false);
    }
    expect([...TERMINAL_TASK_PHASES].sort()).toEqual([
      'Canceled',
      'Failed',
      'Skipped',
      'Succeeded',
    ]);
    expect([...ACTIVE_TASK_PHASES].sort()).toEqual(['Running', 'Scheduled']);
    expect([...TERMINAL_INSTANCE_PHASES].sort()).toEqual(['Canceled', 'Failed', 'Succeeded']);
  });

  it('calls an instance finished only in a terminal phase', () => {
    expect(['Succeeded', 'Failed', 'Canceled'].map(instanceFinished)).toEqual([true, true, true]);
    expect(['Pending', 'Running', 'Blocked', 'Paused', ''].map(instanceFinished)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(instanceFinished(undefined)).toBe(false);
  });
});
