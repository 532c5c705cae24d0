import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../api/dag.ts';
import { DagInstanceStatus } from '../../api/dag-instance.ts';
import {
  at,
  graphOf,
  phases,
  report,
  start,
  step,
  task,
  worker,
} from '../../../test/support/decide-fixtures.ts';

// wait and approval tasks through decide(), as the reconciler runs it: time is
// an argument (never waited for), signals are annotations acted on once.

const workers = [worker('w1')];
const gate: TaskSpec = {
  id: 'gate',
  type: 'approval',
  dependOn: ['build'],
  approval: { message: 'ship?' },
};
const approvalDag = graphOf([task('build'), gate, task('deploy', ['gate'])]);
const signal = (value: string, by = 'alice') => ({
  annotations: { 'fastflow.io/signal': value, 'fastflow.io/signal-by': by },
});

/** The instance with build done: the approval task is waiting. */
function waitingForApproval() {
  const placed = step(approvalDag, start(), workers, at(1));
  const done = report(
    report(placed.status, 'build', 'AttemptStarted'),
    'build',
    'AttemptSucceeded',
  );
  return step(approvalDag, done, workers, at(2));
}

describe('an approval task', () => {
  it('waits on no worker, with no wake-up (nothing polls it)', () => {
    const d = waitingForApproval();
    expect(d.status.tasks?.['gate']).toMatchObject({
      phase: 'Running',
      reason: 'Waiting',
      attempt: 1,
    });
    expect(d.status.tasks?.['gate']?.worker).toBeUndefined();
    expect(d.status.tasks?.['gate']?.message).toContain('waiting for approval: ship?');
    expect(d.assigned).toEqual([]);
    expect(d.wakeAt).toBeUndefined();
    expect(d.status.phase).toBe('Running');
    expect(DagInstanceStatus.safeParse(d.status).success).toBe(true);
  });

  it('approved: succeeds with who and when, and the next task is assigned in the same write', () => {
    const d = step(
      approvalDag,
      waitingForApproval().status,
      workers,
      at(3),
      signal('t1:approve:gate:LGTM'),
    );
    expect(d.status.tasks?.['gate']).toMatchObject({
      phase: 'Succeeded',
      reason: 'Approved',
      output: { approved: true, by: 'alice', at: at(3).toISOString(), message: 'LGTM' },
    });
    expect(d.assigned).toEqual([{ task: 'deploy', worker: 'w1', attempt: 1 }]);
    expect(d.status.operations?.signal).toMatchObject({ result: 'Applied', by: 'alice' });
  });

  it('approved while paused: the signal is recorded and applied, and nothing new starts until resume', () => {
    const waiting = waitingForApproval().status;
    const both = signal('t1:approve:gate');
    const paused = step(approvalDag, waiting, workers, at(3), {
      annotations: { ...both.annotations, 'fastflow.io/pause': 'p1' },
    });
    expect(paused.status.tasks?.['gate']?.phase).toBe('Succeeded');
    expect(paused.status.operations?.signal).toMatchObject({ result: 'Applied', by: 'alice' });
    expect(paused.status.pausedAt).toBe(at(3).toISOString());
    expect(paused.assigned).toEqual([]);
    expect(phases(paused.status)['deploy']).toBeUndefined();
    const resumed = step(approvalDag, paused.status, workers, at(4), {
      annotations: { 'fastflow.io/resume': 'r1' },
    });
    expect(resumed.assigned).toEqual([{ task: 'deploy', worker: 'w1', attempt: 1 }]);
  });

  it('rejected: fails (Rejected) saying who and when, never retried by its policy; the branch stops', () => {
    const retried = graphOf([
      task('build'),
      { ...gate, retry: { limit: 3 } },
      task('deploy', ['gate']),
    ]);
    const waiting = waitingForApproval().status;
    const d = step(retried, waiting, workers, at(3), signal('t1:reject:gate:not today', 'bob'));
    expect(d.status.tasks?.['gate']).toMatchObject({
      phase: 'Failed',
      reason: 'Rejected',
      message: `rejected by bob at ${at(3).toISOString()}: not today`,
    });
    expect(phases(d.status)['deploy']).toBeUndefined();
    expect(d.status.phase).toBe('Failed');
  });

  it('retried after a rejection: waits again as attempt 2, the rejection in its history', () => {
    const waiting = waitingForApproval().status;
    const rejected = step(approvalDag, waiting, workers, at(3), signal('t1:reject:gate'));
    const again = step(approvalDag, rejected.status, workers, at(4), {
      annotations: { 'fastflow.io/retry': 'r1:gate' },
    });
    expect(again.status.tasks?.['gate']).toMatchObject({
      phase: 'Running',
      reason: 'Waiting',
      attempt: 2,
      history: [{ attempt: 1, phase: 'Failed', reason: 'Rejected' }],
    });
    expect(again.status.phase).toBe('Running');
  });

  it('refuses a second signal once decided, and one to a task not waiting, leaving the task as it was', () => {
    const approved = step(
      approvalDag,
      waitingForApproval().status,
      workers,
      at(3),
      signal('t1:approve:gate'),
    );
    const again = step(approvalDag, approved.status, workers, at(4), signal('t2:reject:gate'));
    expect(again.status.tasks?.['gate']?.phase).toBe('Succeeded');
    expect(again.status.operations?.signal).toMatchObject({
      result: 'Refused',
      message: 'reject: gate is Succeeded, not waiting; a signal applies only while it waits',
    });
    const early = step(approvalDag, start(), workers, at(1), signal('t1:approve:gate'));
    expect(early.status.operations?.signal?.message).toContain('gate is Pending, not waiting');
    const action = step(approvalDag, start(), workers, at(1), signal('t1:approve:build'));
    expect(action.status.operations?.signal?.message).toContain('build has type action');
  });

  it('is canceled like any unfinished task, and fails at the deadline', () => {
    const waiting = waitingForApproval().status;
    const canceled = step(approvalDag, waiting, workers, at(3), {
      annotations: { 'fastflow.io/cancel': 'c1' },
    });
    expect(phases(canceled.status)['gate']).toBe('Canceled');
    const late = step(approvalDag, waiting, workers, at(10), { deadline: at(9) });
    expect(late.status.tasks?.['gate']).toMatchObject({
      phase: 'Failed',
      reason: 'DeadlineExceeded',
    });
  });
});

describe('a wait task', () => {
  const waitDag = (wait: TaskSpec['wait']) =>
    graphOf([{ id: 'pause', type: 'wait', wait }, task('after', ['pause'])]);

  it('for a duration: wakes the pass at its end, then the next task runs', () => {
    const g = waitDag({ duration: '30s' });
    const first = step(g, start(), workers, at(1));
    expect(first.status.tasks?.['pause']).toMatchObject({ phase: 'Running', reason: 'Waiting' });
    expect(first.wakeAt).toEqual(at(31));
    expect(first.assigned).toEqual([]);
    // A new leader decides from the stored status alone, and wakes at the same time.
    const stored = JSON.parse(JSON.stringify(first.status)) as typeof first.status;
    expect(step(g, stored, workers, at(30)).wakeAt).toEqual(at(31));
    const over = step(g, stored, workers, at(31));
    expect(over.status.tasks?.['pause']).toMatchObject({
      phase: 'Succeeded',
      finishedAt: at(31).toISOString(),
    });
    expect(over.assigned).toEqual([{ task: 'after', worker: 'w1', attempt: 1 }]);
  });

  it('until a time; one already past ends in the pass that readies it', () => {
    const g = waitDag({ until: at(20).toISOString() });
    expect(step(g, start(), workers, at(1)).wakeAt).toEqual(at(20));
    const late = step(g, start(), workers, at(25));
    expect(phases(late.status)).toMatchObject({ pause: 'Succeeded', after: 'Scheduled' });
  });

  it('for a signal: the payload is its output, read by the task after it', () => {
    const g = waitDag({});
    const first = step(g, start(), workers, at(1));
    expect(first.wakeAt).toBeUndefined();
    const d = step(g, first.status, workers, at(2), signal('t1:signal:pause:{"build":"1.2.3"}'));
    expect(d.status.tasks?.['pause']).toMatchObject({
      phase: 'Succeeded',
      reason: 'Signaled',
      output: { build: '1.2.3' },
    });
    expect(d.assigned).toEqual([{ task: 'after', worker: 'w1', attempt: 1 }]);
  });
});
