import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import type { TaskSpec } from '../api/dag.ts';
import {
  at,
  decideOnce,
  graphOf,
  report,
  start,
  step,
  task,
  worker,
} from '../../test/support/decide-fixtures.ts';
import { actionLimitNote, type ActionSlot } from './action-slots.ts';
import { foldResults } from './fold-results.ts';

const L2 = { chainLookAhead: 2 };

/** The worker's report that `key` succeeded, folded as the operator folds it. */
function succeeded(status: DagInstanceStatus, key: string): DagInstanceStatus {
  const results = { [key]: { phase: 'Succeeded' as const } };
  return { ...status, tasks: foldResults(status.tasks ?? {}, [{ worker: 'w1', results }]).tasks };
}

describe('pre-assigned steps and schedule-to-start', () => {
  const b: TaskSpec = { ...task('b', ['a']), scheduleToStartSecs: 30 };
  const graph = graphOf([task('a'), b]);
  const workers = [worker('w1')];

  it('counts from the pass that drops `after`, not from the pre-assignment', () => {
    const placed = step(graph, start(), workers, at(1), L2).status;
    expect(placed.tasks?.['b']).toMatchObject({ phase: 'Scheduled', after: 'a@1' });
    // Nothing to count from yet: no scheduledAt while it waits (fewer bytes in the first write).
    expect(placed.tasks?.['b']?.scheduledAt).toBeUndefined();
    expect(placed.tasks?.['a']?.scheduledAt).toBe(at(1).toISOString());
    // Its parent runs far longer than b's scheduleToStartSecs: b only waits behind it.
    const running = report(placed, 'a', 'AttemptStarted');
    const waiting = step(graph, running, workers, at(100), L2);
    expect(waiting.status.tasks?.['b']).toMatchObject({ phase: 'Scheduled', after: 'a@1' });
    expect(waiting.wakeAt).toBeUndefined();

    const ready = step(graph, succeeded(waiting.status, 'a@1'), workers, at(200), L2);
    expect(ready.status.tasks?.['b']).toMatchObject({
      phase: 'Scheduled',
      attempt: 1,
      scheduledAt: at(200).toISOString(),
    });
    expect(ready.status.tasks?.['b']?.after).toBeUndefined();
    expect(ready.wakeAt).toEqual(at(230));
    const late = step(graph, ready.status, workers, at(230), L2);
    expect(late.status.tasks?.['b']).toMatchObject({
      phase: 'Failed',
      reason: 'ScheduleToStartTimeout',
    });
  });
});

describe('pre-assigned steps and cluster-wide action limits', () => {
  const graph = graphOf([task('a'), task('b', ['a'], 'Deploy'), task('c', ['b'])]);
  const workers = [worker('w1', ['Print', 'Deploy'])];
  const slots = (free: number) =>
    new Map<string, ActionSlot>([['Deploy', { free, note: actionLimitNote('Deploy', 1) }]]);
  const pass = (status: DagInstanceStatus, free: number | undefined, now = at(1)) =>
    decideOnce(graph, status, workers, now, {
      ...L2,
      ...(free === undefined ? {} : { actionSlots: slots(free) }),
    });

  it('does not pre-assign a step whose action is limited, nor the chain behind it', () => {
    expect(pass(start(), undefined).assigned.map((x) => x.task)).toEqual(['a', 'b', 'c']);
    const d = pass(start(), 1);
    expect(d.assigned.map((x) => x.task)).toEqual(['a']);
    expect(d.status.tasks?.['b']).toBeUndefined();
    // The same pass again changes nothing.
    expect(pass(d.status, 1).status).toEqual(d.status);
  });

  it('places it through the limiter once its parent has succeeded', () => {
    const first = pass(start(), 1);
    const done = succeeded(report(first.status, 'a', 'AttemptStarted'), 'a@1');
    const full = pass(done, 0, at(2));
    expect(full.status.tasks?.['b']).toMatchObject({ phase: 'Pending', reason: 'ActionLimit' });
    const free = pass(done, 1, at(2));
    expect(free.status.tasks?.['b']).toMatchObject({ phase: 'Scheduled', worker: 'w1' });
    expect(free.status.tasks?.['b']?.after).toBeUndefined();
    // Behind the placed step, an unlimited one is pre-assigned as usual.
    expect(free.status.tasks?.['c']).toMatchObject({ phase: 'Scheduled', after: 'b@1' });
  });
});
