import { describe, expect, it } from 'vitest';
import type { DagStatus } from '../api/dag.ts';
import type { DagInstanceStatus, TaskStatus } from '../api/dag-instance.ts';
import { dagEvents, instanceEvents } from './instance-events.ts';

const at = '2026-08-20T10:00:00.000Z';
const running = (tasks: Record<string, TaskStatus> = {}): DagInstanceStatus => ({
  phase: 'Running',
  dagRevision: 'chain-5d8f',
  startTime: at,
  tasks,
});
const reasons = (before: DagInstanceStatus, after: DagInstanceStatus): string[] =>
  instanceEvents(before, after).map((e) => e.reason);

describe('instanceEvents', () => {
  it('records Started when the instance gets its snapshot', () => {
    expect(instanceEvents({}, running())).toEqual([
      {
        type: 'Normal',
        reason: 'Started',
        action: 'Start',
        note: 'started from Dag snapshot chain-5d8f',
      },
    ]);
  });

  it('records nothing for a status that did not change, or changed only in progress', () => {
    const s = running({ a: { phase: 'Running', worker: 'w1', attempt: 1 } });
    expect(instanceEvents(s, s)).toEqual([]);
    expect(instanceEvents(s, structuredClone(s))).toEqual([]);
    const progressed = running({
      a: { phase: 'Succeeded', worker: 'w1', attempt: 1 },
      b: { phase: 'Scheduled', worker: 'w2', attempt: 1 },
    });
    expect(instanceEvents(s, { ...progressed, progress: '1/2' })).toEqual([]);
  });

  it('records a task that fails, once: not again while it stays Failed', () => {
    const before = running({ a: { phase: 'Running', worker: 'w1', attempt: 2 } });
    const after = running({
      a: { phase: 'Failed', worker: 'w1', attempt: 2, reason: 'ActionFailed', message: 'boom' },
    });
    expect(instanceEvents(before, after)).toEqual([
      {
        type: 'Warning',
        reason: 'TaskFailed',
        action: 'RunTask',
        note: 'task a failed (attempt 2, ActionFailed: boom)',
      },
    ]);
    const later = { ...after, progress: '1/1', message: 'still' };
    expect(instanceEvents(after, later)).toEqual([]);
  });

  it('records a later attempt of the same task failing again', () => {
    const first = running({ a: { phase: 'Failed', attempt: 1, reason: 'TimedOut' } });
    const second = running({ a: { phase: 'Failed', attempt: 2, reason: 'TimedOut' } });
    expect(reasons(first, second)).toEqual(['TaskFailed']);
  });

  it('puts the tasks that fail in one change into one Event, naming at most five', () => {
    const ids = ['t1', 't2', 't3', 't4', 't5', 't6', 't7'];
    const before = running(Object.fromEntries(ids.map((id) => [id, { phase: 'Running' }])));
    const after = running(Object.fromEntries(ids.map((id) => [id, { phase: 'Failed' }])));
    const [event, ...rest] = instanceEvents(before, after);
    expect(rest).toEqual([]);
    expect(event?.note).toBe('7 tasks failed: t1; t2; t3; t4; t5; and 2 more');
  });

  it('cuts a long task message so that several tasks fit in one note', () => {
    const after = running({ a: { phase: 'Failed', message: 'x'.repeat(4000) } });
    const note = instanceEvents(running(), after)[0]?.note ?? '';
    expect(note.length).toBeLessThan(250);
    expect(note.endsWith('…)')).toBe(true);
  });

  it('records a task taken from a lost worker, to a new worker or to the wait for one', () => {
    const before = running({
      a: { phase: 'Running', worker: 'w1', attempt: 1 },
      b: { phase: 'Scheduled', worker: 'w1', attempt: 3 },
    });
    const after = running({
      a: { phase: 'Scheduled', worker: 'w2', attempt: 2, message: 'worker w1 was lost' },
      b: { phase: 'Pending', attempt: 3, reason: 'NoWorkerForAction' },
    });
    expect(instanceEvents(before, after)).toEqual([
      {
        type: 'Warning',
        reason: 'TaskReassigned',
        action: 'Reassign',
        note:
          '2 tasks taken from a lost worker: a (attempt 1 on w1, now attempt 2 on w2); ' +
          'b (attempt 3 on w1, now waiting for a live worker)',
      },
    ]);
  });

  it('does not take a worker reporting its own attempt for a reassignment', () => {
    const scheduled = running({ a: { phase: 'Scheduled', worker: 'w1', attempt: 1 } });
    const started = running({ a: { phase: 'Running', worker: 'w1', attempt: 1 } });
    const done = running({ a: { phase: 'Succeeded', worker: 'w1', attempt: 1 } });
    expect(instanceEvents(scheduled, started)).toEqual([]);
    expect(instanceEvents(started, done)).toEqual([]);
    expect(instanceEvents({}, { ...running(), tasks: scheduled.tasks })).toHaveLength(1);
  });

  it.each([
    ['Succeeded', 'Normal', 'all 3 tasks succeeded (after 142ms)', 'Succeeded'],
    ['Failed', 'Warning', 'TaskFailed: task a failed: boom (after 142ms)', 'TaskFailed'],
    ['Canceled', 'Normal', 'Canceled: canceled by the user (after 142ms)', 'Canceled'],
  ] as const)('records the instance finishing %s', (phase, type, note, why) => {
    const message =
      phase === 'Succeeded'
        ? 'all 3 tasks succeeded'
        : phase === 'Failed'
          ? 'task a failed: boom'
          : 'canceled by the user';
    const after: DagInstanceStatus = {
      ...running(),
      phase,
      message,
      duration: '142ms',
      conditions: [
        {
          type: 'Succeeded',
          status: phase === 'Succeeded' ? 'True' : 'False',
          reason: why,
          message,
          lastTransitionTime: at,
        },
      ],
    };
    expect(instanceEvents(running(), after)).toEqual([
      { type, reason: phase, action: 'Finish', note },
    ]);
    expect(instanceEvents(after, { ...after, message: 'later pass' })).toEqual([]);
  });

  it('records a failure to start as Failed without Started', () => {
    const after: DagInstanceStatus = {
      phase: 'Failed',
      message: 'Dag "x" not found in namespace "ns"',
      conditions: [
        {
          type: 'Succeeded',
          status: 'False',
          reason: 'DagNotFound',
          message: 'Dag "x" not found in namespace "ns"',
          lastTransitionTime: at,
        },
      ],
    };
    expect(instanceEvents({}, after)).toEqual([
      {
        type: 'Warning',
        reason: 'Failed',
        action: 'Finish',
        note: 'DagNotFound: Dag "x" not found in namespace "ns"',
      },
    ]);
  });

  it('records start and finish of one change in order: a one-task instance seen late', () => {
    const after: DagInstanceStatus = {
      ...running({ a: { phase: 'Failed', attempt: 1 } }),
      phase: 'Failed',
      message: 'task a failed: no message',
    };
    expect(reasons({}, after)).toEqual(['Started', 'TaskFailed', 'Failed']);
  });

  it('records a second finish after a retry reopened the instance', () => {
    const failed: DagInstanceStatus = { ...running(), phase: 'Failed' };
    const reopened: DagInstanceStatus = { ...running(), phase: 'Running' };
    expect(reasons(failed, reopened)).toEqual([]);
    expect(reasons(reopened, { ...running(), phase: 'Succeeded' })).toEqual(['Succeeded']);
  });
});

describe('dagEvents', () => {
  const valid = (status: 'True' | 'False', reason: string, message: string): DagStatus => ({
    valid: status === 'True',
    message,
    conditions: [{ type: 'Valid', status, reason, message, lastTransitionTime: at }],
  });
  const cycle = valid('False', 'Cycle', 'cycle: a -> b -> a');

  it('records a Dag whose Valid condition turns False', () => {
    expect(dagEvents({}, cycle)).toEqual([
      {
        type: 'Warning',
        reason: 'InvalidDag',
        action: 'Validate',
        note: 'Cycle: cycle: a -> b -> a',
      },
    ]);
    expect(dagEvents(valid('True', 'Valid', 'the Dag is valid'), cycle)).toHaveLength(1);
  });

  it('records nothing while it stays invalid for the same reason, or is valid', () => {
    expect(dagEvents(cycle, { ...cycle, observedGeneration: 3 })).toEqual([]);
    expect(dagEvents({}, valid('True', 'Valid', 'the Dag is valid'))).toEqual([]);
    expect(dagEvents(cycle, valid('True', 'Valid', 'the Dag is valid'))).toEqual([]);
  });

  it('records it again when an edit leaves it invalid for another reason', () => {
    const unknown = valid('False', 'UnknownDependency', 'task "a" depends on "ghost"');
    expect(dagEvents(cycle, unknown)[0]?.note).toBe(
      'UnknownDependency: task "a" depends on "ghost"',
    );
  });
});

describe('instanceEvents: operations', () => {
  const record = (value: string, result: 'Applied' | 'Refused', message: string) => ({
    value,
    result,
    message,
    at,
  });

  it('records each operation acted on once, applied or refused', () => {
    const before = running();
    const after: DagInstanceStatus = {
      ...running(),
      operations: {
        retry: record('r1', 'Applied', 'retry: a'),
        continue: record('c1', 'Refused', 'continue: no blocked task to continue'),
      },
    };
    const events = instanceEvents(before, after).filter((e) => e.reason.startsWith('Operation'));
    expect(events).toEqual([
      {
        type: 'Normal',
        reason: 'OperationApplied',
        action: 'Retry',
        note: 'retry: a (fastflow.io/retry=r1)',
      },
      {
        type: 'Warning',
        reason: 'OperationRefused',
        action: 'Continue',
        note: 'continue: no blocked task to continue (fastflow.io/continue=c1)',
      },
    ]);
    // The same records seen again (a later update) record nothing more.
    expect(instanceEvents(after, { ...after, progress: '1/2' })).toEqual([]);
  });
});

describe('instanceEvents: automatic retries', () => {
  it('records a task that its retry policy will try again, once', () => {
    const failed = running({ a: { phase: 'Failed', worker: 'w1', attempt: 1, message: 'boom' } });
    const retrying = running({
      a: { phase: 'Retrying', attempt: 1, retryAt: '2026-08-20T10:00:05.000Z' },
    });
    expect(instanceEvents(failed, retrying)).toEqual([
      {
        type: 'Normal',
        reason: 'TaskRetrying',
        action: 'Retry',
        note: 'task a will be retried (attempt 2 at 2026-08-20T10:00:05.000Z)',
      },
    ]);
    expect(instanceEvents(retrying, { ...retrying, progress: '0/1' })).toEqual([]);
  });
});
