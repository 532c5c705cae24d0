import { describe, expect, it } from 'vitest';
import { actionLimitNote } from './action-slots.ts';
import { decide } from './decide.ts';
import { at, graphOf, report, start, task, worker } from '../../test/support/decide-fixtures.ts';
import type { DagInstanceStatus } from '../api/dag-instance.ts';

const graph = graphOf([task('A', [], 'Deploy'), task('B', [], 'Deploy'), task('C', [], 'Print')]);
const workers = [worker('w1', ['Deploy', 'Print'])];
const pass = (status: DagInstanceStatus, free: number, now = at(1)) =>
  decide({
    graph,
    status,
    workers,
    generation: 1,
    now,
    actionSlots: new Map([['Deploy', { free, note: actionLimitNote('Deploy', 1) }]]),
  });

describe('decide: cluster-wide action concurrency', () => {
  it('places no more tasks of a limited action than it has free slots; the others wait saying why', () => {
    const d = pass(start(), 1);
    expect(d.assigned.map((a) => a.task).sort()).toEqual(['A', 'C']);
    expect(d.status.tasks?.['B']).toMatchObject({
      phase: 'Pending',
      reason: 'ActionLimit',
    });
    expect(d.status.tasks?.['B']?.message).toContain(
      'action "Deploy" runs at most 1 at once across the cluster (--action-concurrency)',
    );
    // Waiting for a slot is not waiting for a worker.
    expect(d.waitingFor).toEqual([]);
    expect(d.status.conditions?.find((c) => c.type === 'Succeeded')?.reason).toBe('Running');
    // The same pass again changes nothing.
    expect(pass(d.status, 0).status).toEqual(d.status);
  });

  it('places the waiting task once a slot is free, without evaluating its checks again', () => {
    const first = pass(start(), 1);
    const done = report(report(first.status, 'A', 'AttemptStarted'), 'A', 'AttemptSucceeded');
    const d = pass(done, 1, at(2));
    expect(d.assigned).toEqual([{ task: 'B', worker: 'w1', attempt: 1 }]);
    expect(d.status.tasks?.['B']?.reason).toBeUndefined();
  });

  it('says so in the instance condition while nothing of it runs', () => {
    const one = graphOf([task('A', [], 'Deploy')]);
    const d = decide({
      graph: one,
      status: start(),
      workers,
      generation: 1,
      now: at(1),
      actionSlots: new Map([['Deploy', { free: 0, note: actionLimitNote('Deploy', 1) }]]),
    });
    expect(d.status.phase).toBe('Running');
    expect(d.status.conditions?.find((c) => c.type === 'Succeeded')?.reason).toBe(
      'WaitingForActionSlot',
    );
    expect(d.status.message).toMatch(/^task A is Pending: waiting for a slot: action "Deploy"/);
  });

  it('without a slot map, nothing is limited', () => {
    const d = decide({ graph, status: start(), workers, generation: 1, now: at(1) });
    expect(d.assigned).toHaveLength(3);
  });
});
