import { describe, expect, it } from 'vitest';
import {
  at,
  failure,
  graphOf,
  phases,
  report,
  start,
  step,
  succeededCondition,
  task,
  worker,
} from '../../test/support/decide-fixtures.ts';

const DEADLINE = at(10);
const past = { deadline: DEADLINE };
const workers = [worker('w1'), worker('w2')];

describe('decide: past activeDeadlineSeconds nothing starts again', () => {
  it('does not place a task that became ready in the pass that sees the deadline', () => {
    const graph = graphOf([task('A'), task('B', ['A']), task('C', ['B'])]);
    const placed = step(graph, start(), workers, at(1), past);
    const done = report(placed.status, 'A', 'AttemptSucceeded');
    const d = step(graph, done, workers, at(11), past);
    expect(d.assigned).toEqual([]);
    // B was ready: it fails with the instance; C never became ready and stays so.
    expect(phases(d.status)).toEqual({ A: 'Succeeded', B: 'Failed' });
    expect(d.status.tasks?.['B']).toMatchObject({ reason: 'DeadlineExceeded' });
    expect(d.status.phase).toBe('Failed');
    expect(succeededCondition(d.status)).toMatchObject({ reason: 'DeadlineExceeded' });
    expect(d.wakeAt).toBeUndefined();
  });

  it('retries nothing: neither a failure it has just seen nor a retry that is due', () => {
    const retry = { limit: 3, backoff: { seconds: 1, factor: 2 } };
    const graph = graphOf([
      { ...task('A'), retry },
      { ...task('B'), retry },
    ]);
    const placed = step(graph, start(), workers, at(1), past);
    const bFailed = failure(placed.status, 'B');
    const retrying = step(graph, bFailed, workers, at(2), past);
    expect(retrying.status.tasks?.['B']?.phase).toBe('Retrying');
    const aFailed = failure(retrying.status, 'A');
    const d = step(graph, aFailed, workers, at(11), past);
    expect(d.assigned).toEqual([]);
    expect(d.status.tasks?.['A']).toMatchObject({ phase: 'Failed', reason: 'ActionFailed' });
    expect(d.status.tasks?.['B']).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded' });
    expect(d.status.phase).toBe('Failed');
  });

  it('does not move the task of a lost worker to another', () => {
    const graph = graphOf([task('A')]);
    const placed = step(graph, start(), [worker('w1')], at(1), past);
    const d = step(graph, placed.status, [worker('w2')], at(11), past);
    expect(d.assigned).toEqual([]);
    expect(d.status.tasks?.['A']).toMatchObject({
      phase: 'Failed',
      worker: 'w1',
      reason: 'DeadlineExceeded',
    });
  });

  it('refuses operations, saying why', () => {
    const graph = graphOf([task('A')]);
    const placed = step(graph, start(), workers, at(1), past);
    const failedInTime = step(graph, failure(placed.status, 'A'), workers, at(2), past);
    expect(succeededCondition(failedInTime.status)).toMatchObject({ reason: 'TaskFailed' });
    const annotations = { 'fastflow.io/retry': 'r1' };
    const d = step(graph, failedInTime.status, workers, at(11), { ...past, annotations });
    expect(d.assigned).toEqual([]);
    expect(d.status.operations?.retry).toMatchObject({
      value: 'r1',
      result: 'Refused',
      message: 'retry: the instance ran past its activeDeadlineSeconds',
    });
    // The instance failed before its deadline, and still says so.
    expect({ ...d.status, operations: undefined }).toEqual({
      ...failedInTime.status,
      operations: undefined,
    });
  });
});
