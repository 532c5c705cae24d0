import { describe, expect, it } from 'vitest';
import {
  ACTIVE_TASK_PHASES,
  DagInstanceStatus as DagInstanceStatusSchema,
  type DagInstanceStatus,
} from '../api/dag-instance.ts';
import {
  deadlineOf,
  failedToRun,
  started,
  waitingToStart,
  whyNotStarted,
  withOperationsRefused,
} from './instance-start.ts';
import { pendingOperations } from './operations.ts';

const t0 = new Date('2026-03-01T12:00:00.000Z');
const t1 = new Date('2026-03-01T12:00:09.000Z');
const t2 = new Date('2026-03-01T13:00:00.000Z');
const NO_DAG = { reason: 'DagNotFound', message: 'Dag "x" not found in namespace "ns"' };

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

describe('failedToRun: an instance that could not start', () => {
  it('is Failed with the reason in the Succeeded condition', () => {
    const status = failedToRun(undefined, { reason: 'InvalidDag', message: 'cycle' }, 3, t0);
    expect(status).toEqual({
      phase: 'Failed',
      message: 'cycle',
      finishTime: t0.toISOString(),
      duration: '0ms',
      observedGeneration: 3,
      conditions: [
        {
          type: 'Succeeded',
          status: 'False',
          reason: 'InvalidDag',
          message: 'cycle',
          observedGeneration: 3,
          lastTransitionTime: t0.toISOString(),
        },
      ],
    });
    expect(DagInstanceStatusSchema.safeParse(status).success).toBe(true);
  });

  it('omits observedGeneration when unknown', () => {
    const status = failedToRun(undefined, NO_DAG, undefined, t0);
    expect('observedGeneration' in status).toBe(false);
  });

  it('is a fixed point: repeated later, it changes nothing (finish time included)', () => {
    const once = failedToRun(undefined, NO_DAG, 1, t0);
    expect(failedToRun(once, NO_DAG, 1, t1)).toEqual(once);
    expect(whyNotStarted(once)).toEqual(NO_DAG);
  });

  it('refuses and records every operation asked for, and then has nothing left to do', () => {
    const once = failedToRun(undefined, NO_DAG, 1, t0);
    const annotations = { 'fastflow.io/retry': 'r1', 'fastflow.io/cancel': 'c1:a' };
    const ops = pendingOperations(annotations, once.operations);
    expect(ops).toHaveLength(2);
    const after = failedToRun(once, whyNotStarted(once), 1, t1, ops);
    expect(after.operations?.retry).toEqual({
      value: 'r1',
      result: 'Refused',
      message: `retry: the instance cannot run (DagNotFound: ${NO_DAG.message}); create a new DagInstance instead`,
      at: t1.toISOString(),
    });
    expect(after.operations?.cancel).toMatchObject({ value: 'c1:a', result: 'Refused' });
    // Only the records changed: the instance still finished when it first failed.
    expect({ ...after, operations: undefined }).toEqual({ ...once, operations: undefined });
    expect(pendingOperations(annotations, after.operations)).toEqual([]);
    expect(failedToRun(after, whyNotStarted(after), 1, t2, [])).toEqual(after);
    expect(DagInstanceStatusSchema.safeParse(after).success).toBe(true);
  });
});

describe('failedToRun: a running instance whose Dag snapshot is gone', () => {
  const running: DagInstanceStatus = {
    phase: 'Running',
    dagRevision: 'rev-1',
    startTime: t0.toISOString(),
    progress: '1/6',
    tasks: {
      done: { phase: 'Succeeded', worker: 'w1', attempt: 1 },
      placed: { phase: 'Scheduled', worker: 'w1', attempt: 1 },
      busy: { phase: 'Running', worker: 'w2', attempt: 2 },
      later: { phase: 'Retrying', attempt: 1, retryAt: t2.toISOString() },
      held: { phase: 'Blocked', reason: 'PreCheck' },
      waiting: { phase: 'Pending', reason: 'NoWorkerForAction' },
    },
  };
  const gone = { reason: 'DagRevisionMissing', message: 'Dag snapshot ns/rev-1 no longer exists' };

  it('fails every unfinished task with it, so no worker holds one any more', () => {
    const status = failedToRun(running, gone, 1, t1);
    expect(status.phase).toBe('Failed');
    const tasks = status.tasks ?? {};
    expect(Object.values(tasks).filter((t) => ACTIVE_TASK_PHASES.has(t.phase))).toEqual([]);
    expect(tasks['done']).toEqual(running.tasks?.['done']);
    for (const id of ['placed', 'busy', 'later', 'held', 'waiting']) {
      expect(tasks[id], id).toMatchObject({
        phase: 'Failed',
        reason: 'DagRevisionLost',
        message: gone.message,
        finishedAt: t1.toISOString(),
      });
    }
    expect(tasks['busy']).toMatchObject({ worker: 'w2', attempt: 2 });
    expect(status).toMatchObject({ progress: '6/6', duration: '9.0s' });
    expect(DagInstanceStatusSchema.safeParse(status).success).toBe(true);
  });

  it('is a fixed point', () => {
    const once = failedToRun(running, gone, 1, t1);
    expect(failedToRun(once, gone, 1, t2)).toEqual(once);
  });

  it('leaves a finished instance as it ended: only the operations asked for are refused', () => {
    const succeeded: DagInstanceStatus = { ...running, phase: 'Succeeded', tasks: {} };
    const ops = pendingOperations({ 'fastflow.io/retry': 'r1' }, undefined);
    const after = { ...succeeded, ...withOperationsRefused(succeeded, gone, ops, t1) };
    expect({ ...after, operations: undefined }).toEqual(succeeded);
    expect(after.operations?.retry).toMatchObject({ value: 'r1', result: 'Refused' });
    expect(after.operations?.retry?.message).toContain('cannot run (DagRevisionMissing: ');
  });
});

describe('waitingToStart: an instance waiting for a run slot of its Dag', () => {
  const why = { reason: 'WaitingForRunSlot', message: 'waiting to start: ...' };
  const t0 = new Date('2026-05-01T10:00:00Z');

  it('is Pending, saying why, and the same every pass (one write while it waits)', () => {
    const once = waitingToStart(undefined, why, 1, t0);
    expect(once).toMatchObject({ phase: 'Pending', message: why.message, observedGeneration: 1 });
    expect(once.conditions?.[0]).toMatchObject({ type: 'Succeeded', status: 'Unknown', ...why });
    expect(waitingToStart(once, why, 1, new Date('2026-05-01T11:00:00Z'))).toEqual(once);
  });

  it('has no deadline before it starts', () => {
    expect(deadlineOf({ dagRef: { name: 'd' }, activeDeadlineSeconds: 5 }, {})).toEqual({});
  });
});
