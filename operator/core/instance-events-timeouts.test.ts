import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus, TaskStatus } from '../api/dag-instance.ts';
import { instanceEvents } from './instance-events.ts';

const running = (tasks: Record<string, TaskStatus>): DagInstanceStatus => ({
  phase: 'Running',
  dagRevision: 'd-1',
  tasks,
});

describe('instanceEvents: an attempt failed and retried within one change', () => {
  const before = running({ a: { phase: 'Scheduled', worker: 'w1', attempt: 1 } });

  it('records the failure, not a task taken from a lost worker', () => {
    const after = running({
      a: {
        phase: 'Scheduled',
        worker: 'w2',
        attempt: 2,
        history: [
          {
            attempt: 1,
            worker: 'w1',
            phase: 'Failed',
            reason: 'ScheduleToStartTimeout',
            message: 'worker w1 did not start attempt 1 within scheduleToStartSecs (30s)',
          },
        ],
      },
    });
    const events = instanceEvents(before, after);
    expect(events.map((e) => e.reason)).toEqual(['TaskFailed']);
    expect(events[0]?.note).toBe(
      'task a failed (attempt 1, ScheduleToStartTimeout: worker w1 did not start attempt 1 within scheduleToStartSecs (30s))',
    );
  });

  it('still records a lost worker as such', () => {
    const after = running({
      a: {
        phase: 'Scheduled',
        worker: 'w2',
        attempt: 2,
        history: [{ attempt: 1, worker: 'w1', phase: 'Failed', reason: 'WorkerLost' }],
      },
    });
    expect(instanceEvents(before, after).map((e) => e.reason)).toEqual(['TaskReassigned']);
  });
});
