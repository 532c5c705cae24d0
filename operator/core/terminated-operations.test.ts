import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../api/dag.ts';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import {
  at,
  graphOf,
  phases,
  report,
  start,
  step,
  task,
  worker,
} from '../../test/support/decide-fixtures.ts';

// check -> stop (terminate: Failed) -> never; beside it long (canceled by stop) -> after.
const tasks: TaskSpec[] = [
  task('check'),
  {
    id: 'stop',
    type: 'terminate',
    dependOn: ['check'],
    terminate: { phase: 'Failed', reason: 'bad input', output: { why: 'bad' } },
  },
  task('never', ['stop']),
  task('long'),
  task('after', ['long']),
];
const graph = graphOf(tasks);
const w = [worker('w1')];

function terminated(): DagInstanceStatus {
  let status = step(graph, start(), w).status;
  status = report(report(status, 'check', 'AttemptStarted'), 'check', 'AttemptSucceeded');
  status = report(status, 'long', 'AttemptStarted');
  return step(graph, status, w).status;
}

function operate(name: string, value: string) {
  const annotations = { [`fastflow.io/${name}`]: value };
  return step(graph, terminated(), w, at(30), { annotations });
}

const ENDED = 'the instance was ended by terminate task "stop" (Failed: bad input)';

describe('operations on an instance a terminate task ended', () => {
  it('starts from an instance Failed by stop, long canceled', () => {
    const status = terminated();
    expect(status.phase).toBe('Failed');
    expect(phases(status)).toMatchObject({ stop: 'Succeeded', long: 'Canceled' });
  });

  it.each([
    ['retry', 'r1', 'retry'],
    ['skip', 's1:never', 'skip'],
    ['continue', 'c1:long', 'continue'],
    ['cancel', 'x1', 'cancel'],
  ])('refuses %s, saying the terminate decided the end and what would run again', (name, value) => {
    const d = operate(name, value);
    const record = d.status.operations?.[name as 'retry'];
    expect(record?.result).toBe('Refused');
    expect(record?.message).toContain(ENDED);
    expect(record?.message).toContain('rerun from stop or a task before it, or restart');
    expect(d.status.phase).toBe('Failed');
    expect(d.assigned).toEqual([]);
  });

  it('restart runs every task again: the terminate is decided again, its end and output cleared', () => {
    const d = operate('restart', 'r1');
    expect(d.status.operations?.restart?.result).toBe('Applied');
    expect(d.status.terminated).toBeUndefined();
    expect(d.status.output).toBeUndefined();
    expect(d.status.phase).toBe('Running');
    expect(d.assigned.map((a) => a.task).sort()).toEqual(['check', 'long']);
  });

  it('a rerun from the terminate task or before it reopens the instance, and what it ended runs again', () => {
    const d = operate('rerun', 'r1:check');
    expect(d.status.operations?.rerun?.result).toBe('Applied');
    expect(d.status.terminated).toBeUndefined();
    expect(d.status.phase).toBe('Running');
    expect(d.assigned.map((a) => a.task).sort()).toEqual(['check', 'long']);
  });

  it('a rerun of a task the terminate does not follow is refused: the end would stand', () => {
    const d = operate('rerun', 'r1:long');
    expect(d.status.operations?.rerun).toMatchObject({ result: 'Refused' });
    expect(d.status.operations?.rerun?.message).toContain(ENDED);
    expect(d.status.phase).toBe('Failed');
  });
});
