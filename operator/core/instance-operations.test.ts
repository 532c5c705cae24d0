import { describe, expect, it } from 'vitest';
import {
  DagInstanceStatus as DagInstanceStatusSchema,
  type DagInstanceStatus,
} from '../api/dag-instance.ts';
import { foldResults } from './fold-results.ts';
import { instanceEvents } from './instance-events.ts';
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

const workers = [worker('w1')];
const op = (name: string, value: string) => ({ annotations: { [`fastflow.io/${name}`]: value } });
const recordOf = (s: DagInstanceStatus, name: keyof NonNullable<DagInstanceStatus['operations']>) =>
  s.operations?.[name];

function expectValid(status: DagInstanceStatus): void {
  const parsed = DagInstanceStatusSchema.safeParse(status);
  expect(parsed.success, parsed.error?.message).toBe(true);
}

/** Runs every task of `graph` to Succeeded, one pass per level. */
function runToEnd(graph: ReturnType<typeof graphOf>): DagInstanceStatus {
  let status = start();
  for (let t = 1; t < 20 && status.phase !== 'Succeeded'; t++) {
    status = step(graph, status, workers, at(t)).status;
    for (const [id, entry] of Object.entries(status.tasks ?? {})) {
      if (entry.phase === 'Scheduled') status = report(status, id, 'AttemptSucceeded');
    }
  }
  return step(graph, status, workers, at(30)).status;
}

describe('pause and resume', () => {
  const graph = graphOf([task('A'), task('B', ['A']), task('C')]);

  it('lets running tasks finish, starts nothing new, and resume goes on', () => {
    const placed = step(graph, start(), workers, at(1)).status;
    expect(phases(placed)).toEqual({ A: 'Scheduled', C: 'Scheduled' });
    const paused = step(graph, placed, workers, at(2), op('pause', 'p1')).status;
    expectValid(paused);
    expect(paused.phase).toBe('Paused');
    expect(paused.pausedAt).toBe(at(2).toISOString());
    expect(succeededCondition(paused)).toMatchObject({ status: 'Unknown', reason: 'Paused' });
    expect(recordOf(paused, 'pause')).toMatchObject({
      result: 'Applied',
      message: 'pause: nothing new starts; A, C finish',
    });
    // A finishes while paused: B, ready now, does not start.
    const done = report(paused, 'A', 'AttemptSucceeded');
    const held = step(graph, done, workers, at(3), op('pause', 'p1'));
    expect(held.assigned).toEqual([]);
    expect(phases(held.status)).toEqual({ A: 'Succeeded', C: 'Scheduled' });
    expect(held.status.phase).toBe('Paused');
    const resumed = step(graph, held.status, workers, at(4), {
      annotations: { 'fastflow.io/pause': 'p1', 'fastflow.io/resume': 'r1' },
    });
    expect(resumed.assigned.map((a) => a.task)).toEqual(['B']);
    expect(resumed.status.phase).toBe('Running');
    expect(resumed.status.pausedAt).toBeUndefined();
    expect(recordOf(resumed.status, 'resume')?.result).toBe('Applied');
  });

  it('holds a retry until resumed', () => {
    const retried = graphOf([
      { ...task('A'), retry: { limit: 2, backoff: { seconds: 0, factor: 2 } } },
    ]);
    const placed = step(retried, start(), workers, at(1)).status;
    const paused = step(retried, placed, workers, at(2), op('pause', 'p1')).status;
    const failed = step(retried, failure(paused, 'A'), workers, at(3), op('pause', 'p1'));
    expect(failed.assigned).toEqual([]);
    expect(phases(failed.status)).toEqual({ A: 'Retrying' });
    const resumed = step(retried, failed.status, workers, at(4), {
      annotations: { 'fastflow.io/pause': 'p1', 'fastflow.io/resume': 'r1' },
    });
    expect(resumed.assigned).toEqual([{ task: 'A', worker: 'w1', attempt: 2 }]);
  });

  it('has not finished while a ready task is held, even beside a failure', () => {
    const placed = step(graph, start(), workers, at(1)).status;
    const paused = step(graph, placed, workers, at(2), op('pause', 'p1')).status;
    const ended = report(failure(paused, 'C'), 'A', 'AttemptSucceeded');
    const held = step(graph, ended, workers, at(3), op('pause', 'p1'));
    expect(phases(held.status)).toEqual({ A: 'Succeeded', C: 'Failed' });
    expect(held.status.phase).toBe('Paused');
  });

  it('ends as its tasks end when what was running finishes it', () => {
    const one = graphOf([task('A')]);
    const placed = step(one, start(), workers, at(1)).status;
    const paused = step(one, placed, workers, at(2), op('pause', 'p1')).status;
    const done = step(
      one,
      report(paused, 'A', 'AttemptSucceeded'),
      workers,
      at(3),
      op('pause', 'p1'),
    );
    expect(done.status.phase).toBe('Succeeded');
  });

  it('refuses a pause of a paused or finished instance, a resume of one not paused', () => {
    const placed = step(graph, start(), workers, at(1)).status;
    const resume = step(graph, placed, workers, at(2), op('resume', 'r1')).status;
    expect(recordOf(resume, 'resume')).toMatchObject({
      result: 'Refused',
      message: 'resume: the instance is not paused',
    });
    const paused = step(graph, placed, workers, at(2), op('pause', 'p1')).status;
    const again = step(graph, paused, workers, at(3), op('pause', 'p2')).status;
    expect(recordOf(again, 'pause')?.message).toBe(
      `pause: the instance is already paused (since ${at(2).toISOString()})`,
    );
    const named = step(graph, placed, workers, at(2), op('pause', 'p1:A')).status;
    expect(recordOf(named, 'pause')?.message).toMatch(/^pause: it acts on the whole instance/);
    const finished = step(graph, runToEnd(graph), workers, at(40), op('pause', 'p1')).status;
    expect(recordOf(finished, 'pause')?.message).toBe(
      'pause: the instance has finished (Succeeded): nothing is left to hold',
    );
  });

  it('leaves one Event per operation: Pause applied, Resume refused', () => {
    const placed = step(graph, start(), workers, at(1)).status;
    const paused = step(graph, placed, workers, at(2), op('pause', 'p1')).status;
    expect(instanceEvents(placed, paused)).toContainEqual({
      type: 'Normal',
      reason: 'OperationApplied',
      action: 'Pause',
      note: 'pause: nothing new starts; A, C finish (fastflow.io/pause=p1)',
    });
    const refused = step(graph, placed, workers, at(2), op('resume', 'r1')).status;
    expect(instanceEvents(placed, refused)).toContainEqual(
      expect.objectContaining({ type: 'Warning', reason: 'OperationRefused', action: 'Resume' }),
    );
  });
});

describe('restart and rerun', () => {
  const graph = graphOf([task('A'), task('B', ['A']), task('C', ['B']), task('D', ['A'])]);

  it('restart runs every task again, its attempts counted on', () => {
    const done = runToEnd(graph);
    const d = step(graph, done, workers, at(40), op('restart', 's1'));
    expectValid(d.status);
    expect(recordOf(d.status, 'restart')?.message).toBe(
      'restart: every task runs again (4 had run)',
    );
    expect(d.assigned).toEqual([{ task: 'A', worker: 'w1', attempt: 2 }]);
    expect(phases(d.status)).toEqual({ A: 'Scheduled', B: 'Pending', C: 'Pending', D: 'Pending' });
    expect(d.status.tasks?.['A']?.history?.[0]).toMatchObject({ attempt: 1, phase: 'Succeeded' });
    expect(d.status.phase).toBe('Running');
    expect(d.status.finishTime).toBeUndefined();
  });

  it('rerun from a middle task runs it and what follows it, nothing else', () => {
    const done = runToEnd(graph);
    const d = step(graph, done, workers, at(40), op('rerun', 'x1:B'));
    expect(recordOf(d.status, 'rerun')?.message).toBe('rerun: B and 1 task(s) after it run again');
    expect(d.assigned).toEqual([{ task: 'B', worker: 'w1', attempt: 2 }]);
    expect(phases(d.status)).toEqual({
      A: 'Succeeded',
      B: 'Scheduled',
      C: 'Pending',
      D: 'Succeeded',
    });
  });

  it('rerun with vars records them as overrides, used by the checks from then on', () => {
    const done = runToEnd(graph);
    const vars = { region: 'eu', size: 's' };
    const d = step(graph, done, workers, at(40), { ...op('rerun', 'x1:C?region=us%20east'), vars });
    expect(d.status.rerunVars).toEqual({ region: 'us east' });
    expect(recordOf(d.status, 'rerun')?.message).toBe(
      'rerun: C and 0 task(s) after it run again with region set',
    );
    const restarted = step(graph, d.status, workers, at(41), {
      annotations: { 'fastflow.io/rerun': 'x1:C?region=us%20east', 'fastflow.io/restart': 's1' },
      vars,
    });
    // C still runs: a restart is refused while it does, and keeps the overrides.
    expect(recordOf(restarted.status, 'restart')?.message).toMatch(/^restart: C still running/);
    expect(restarted.status.rerunVars).toEqual({ region: 'us east' });
  });

  it('refuses what does not apply, changing nothing', () => {
    const done = runToEnd(graph);
    const vars = { region: 'eu' };
    const refusals: [string, string, string][] = [
      ['rerun', 'x1', 'rerun: name one task to run again from (fastflow.io/rerun=<token>:<task>)'],
      [
        'rerun',
        'x1:B,C',
        'rerun: name one task to run again from (fastflow.io/rerun=<token>:<task>)',
      ],
      ['rerun', 'x1:nope', 'rerun: no task nope in this Dag'],
      ['rerun', 'x1:B?zone=a', 'rerun: var zone not declared by the Dag (declared: region)'],
      [
        'restart',
        's1:A',
        'restart: it acts on the whole instance: name no task (fastflow.io/restart=<token>)',
      ],
      ['retry', 'y1:A?region=b', 'retry: only rerun takes vars (after "?")'],
    ];
    for (const [name, value, message] of refusals) {
      const d = step(graph, done, workers, at(40), { ...op(name, value), vars });
      expect(d.status.operations?.[name as 'rerun']).toMatchObject({ result: 'Refused', message });
      expect(d.status.tasks).toEqual(done.tasks);
    }
    const placed = step(graph, start(), workers, at(1)).status;
    const running = step(graph, placed, workers, at(2), op('rerun', 'x1:A')).status;
    expect(recordOf(running, 'rerun')?.message).toMatch(/^rerun: A still running: wait for it/);
    const fresh = step(graph, start(), workers, at(1), op('restart', 's1'));
    expect(recordOf(fresh.status, 'restart')?.message).toBe('restart: no task has run yet');
    const early = step(graph, placed, workers, at(2), op('rerun', 'x1:C'));
    expect(recordOf(early.status, 'rerun')?.message).toBe(
      'rerun: A still running: wait for it (a pause lets running tasks finish and starts nothing new) or cancel first',
    );
  });

  it('a late result of the attempt before a rerun is stale', () => {
    const one = graphOf([task('A')]);
    const done = runToEnd(one);
    const again = step(one, done, [], at(40), op('restart', 's1')).status;
    expect(again.tasks?.['A']).toMatchObject({ phase: 'Pending', attempt: 1 });
    const late = foldResults(again.tasks ?? {}, [
      { worker: 'w1', results: { 'A/1': { phase: 'Succeeded', output: '1' } } },
    ]);
    expect(late.outcomes[0]?.outcome).toBe('stale');
  });
});

describe('skip', () => {
  const graph = graphOf([task('A'), task('B', ['A']), task('C', ['B'])]);

  it('skips a task that has not run; what follows it runs', () => {
    const placed = step(graph, start(), workers, at(1)).status;
    const d = step(graph, placed, workers, at(2), op('skip', 'k1:B'));
    expect(recordOf(d.status, 'skip')?.message).toBe('skip: B');
    expect(d.status.tasks?.['B']).toMatchObject({ phase: 'Skipped', reason: 'SkipRequested' });
    // C follows only B: it starts in the same pass, while A still runs.
    expect(d.assigned.map((a) => a.task)).toEqual(['C']);
  });

  it('refuses a skip of a task that ran, or of no task named', () => {
    const placed = step(graph, start(), workers, at(1)).status;
    const ran = step(graph, placed, workers, at(2), op('skip', 'k1:A'));
    expect(recordOf(ran.status, 'skip')?.message).toBe(
      'skip: only tasks that have not run (Pending or Blocked) can be skipped (A is Scheduled)',
    );
    const none = step(graph, placed, workers, at(2), op('skip', 'k1'));
    expect(recordOf(none.status, 'skip')?.message).toBe(
      'skip: name the tasks to skip (fastflow.io/skip=<token>:<task>,…)',
    );
  });

  it('acts on each value once: p1, p2, then p1 again is refused', () => {
    const placed = step(graph, start(), workers, at(1)).status;
    const k1 = step(graph, placed, workers, at(2), op('skip', 'k1:B')).status;
    const k2 = step(graph, k1, workers, at(3), op('skip', 'k2:C')).status;
    const k1again = step(graph, k2, workers, at(4), op('skip', 'k1:B')).status;
    expect(recordOf(k1again, 'skip')).toMatchObject({ result: 'Refused' });
    expect(recordOf(k1again, 'skip')?.message).toContain('was acted on before');
  });
});
