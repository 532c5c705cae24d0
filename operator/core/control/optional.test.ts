import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../api/dag.ts';
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
} from '../../../test/support/decide-fixtures.ts';

const w = [worker('w1')];

function run(tasks: TaskSpec[], fail: string) {
  const graph = graphOf(tasks);
  let status = step(graph, start(), w).status;
  status = failure(report(status, fail, 'AttemptStarted'), fail);
  return { graph, decision: step(graph, status, w) };
}

describe('optional', () => {
  it("an optional task's failure lets its dependants run and the instance succeed, naming it", () => {
    const { graph, decision } = run(
      [{ ...task('lint'), optional: true }, task('ship', ['lint'])],
      'lint',
    );
    expect(phases(decision.status)).toMatchObject({ lint: 'Failed', ship: 'Scheduled' });
    let status = report(decision.status, 'ship', 'AttemptStarted');
    status = report(status, 'ship', 'AttemptSucceeded');
    const done = step(graph, status, w).status;
    expect(done.phase).toBe('Succeeded');
    expect(done.message).toBe(
      'all 2 tasks finished; optional tasks failed: task lint failed: boom',
    );
    expect(succeededCondition(done)).toMatchObject({
      status: 'True',
      reason: 'OptionalTasksFailed',
    });
  });

  it('is retried under its policy first (Conductor N#3069: optional tasks were not retried)', () => {
    const { decision } = run(
      [
        {
          ...task('lint'),
          optional: true,
          retry: { limit: 1, backoff: { seconds: 0, factor: 1 } },
        },
        task('ship', ['lint']),
      ],
      'lint',
    );
    expect(phases(decision.status)).toMatchObject({ lint: 'Scheduled' });
    expect(decision.status.tasks?.lint?.attempt).toBe(2);
    expect(decision.status.tasks?.ship).toBeUndefined();
  });

  it('a retry operation retries it after the instance succeeded (Conductor N#564: COMPLETED_WITH_ERRORS could not be retried)', () => {
    const { graph, decision } = run(
      [{ ...task('lint'), optional: true }, task('ship', ['lint'])],
      'lint',
    );
    let status = report(decision.status, 'ship', 'AttemptStarted');
    status = step(graph, report(status, 'ship', 'AttemptSucceeded'), w).status;
    expect(status.phase).toBe('Succeeded');
    const retried = step(graph, status, w, at(5), { annotations: { 'fastflow.io/retry': '1' } });
    expect(retried.status.operations?.retry).toMatchObject({ result: 'Applied' });
    expect(retried.status.tasks?.lint).toMatchObject({ phase: 'Scheduled', attempt: 2 });
    expect(retried.status.phase).toBe('Running');
  });

  it('a task that is not optional still fails the instance', () => {
    const { decision } = run([task('lint'), task('ship', ['lint'])], 'lint');
    expect(decision.status.phase).toBe('Failed');
  });
});
