import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import { DagInstanceStatus as DagInstanceStatusSchema } from '../api/dag-instance.ts';
import { failedToStart, started } from './instance-start.ts';

const t0 = new Date('2026-03-01T12:00:00.000Z');
const t1 = new Date('2026-03-01T12:00:09.000Z');

describe('started', () => {
  it('sets Running, the revision, the start time and an empty task map', () => {
    const status = started(undefined, 'dag-abc', t0);
    expect(status).toEqual({
      phase: 'Running',
      dagRevision: 'dag-abc',
      startTime: '2026-03-01T12:00:00.000Z',
      tasks: {},
    });
    expect(DagInstanceStatusSchema.safeParse(status).success).toBe(true);
  });

  it('keeps unrelated fields of an existing status and does not mutate it', () => {
    const before: DagInstanceStatus = { observedGeneration: 1, phase: 'Pending' };
    const status = started(before, 'rev', t0);
    expect(status).toMatchObject({ observedGeneration: 1, phase: 'Running' });
    expect(before).toEqual({ observedGeneration: 1, phase: 'Pending' });
  });
});

describe('failedToStart', () => {
  it('is Failed with the reason in the Succeeded condition', () => {
    const status = failedToStart(undefined, 'DagInvalid', 'spec.tasks: cycle', 3, t0);
    expect(status).toEqual({
      phase: 'Failed',
      message: 'spec.tasks: cycle',
      finishTime: t0.toISOString(),
      duration: '0ms',
      observedGeneration: 3,
      conditions: [
        {
          type: 'Succeeded',
          status: 'False',
          reason: 'DagInvalid',
          message: 'spec.tasks: cycle',
          observedGeneration: 3,
          lastTransitionTime: t0.toISOString(),
        },
      ],
    });
    expect(DagInstanceStatusSchema.safeParse(status).success).toBe(true);
  });

  it('omits observedGeneration when unknown', () => {
    const status = failedToStart(undefined, 'VarsInvalid', 'x', undefined, t0);
    expect('observedGeneration' in status).toBe(false);
  });

  it('is stable when repeated: the transition time stays', () => {
    const once = failedToStart(undefined, 'VarsInvalid', 'x', 1, t0);
    const twice = failedToStart(once, 'VarsInvalid', 'x', 1, t1);
    expect(twice.conditions).toEqual(once.conditions);
  });
});
