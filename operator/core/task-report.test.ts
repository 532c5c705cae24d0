import { describe, expect, it } from 'vitest';
import { mergeReports, reportOps, type TaskReport } from './task-report.ts';

const W = 'w1-abcde';

function report(task: string, over: Partial<TaskReport> = {}): TaskReport {
  return {
    task,
    worker: W,
    attempt: 2,
    expect: 'Scheduled',
    set: { phase: 'Running', startedAt: '2026-05-01T10:00:00.000Z' },
    ...over,
  };
}

describe('reportOps', () => {
  it('tests worker, attempt and the expected phase, then adds each set field', () => {
    expect(reportOps([report('a')])).toEqual([
      { op: 'test', path: '/status/tasks/a/worker', value: W },
      { op: 'test', path: '/status/tasks/a/attempt', value: 2 },
      { op: 'test', path: '/status/tasks/a/phase', value: 'Scheduled' },
      { op: 'add', path: '/status/tasks/a/phase', value: 'Running' },
      { op: 'add', path: '/status/tasks/a/startedAt', value: '2026-05-01T10:00:00.000Z' },
    ]);
  });

  it('fences every report of a batch before its own writes, in order', () => {
    const ops = reportOps([
      report('a'),
      report('b', { expect: 'Running', set: { phase: 'Failed', reason: 'TimedOut' } }),
    ]);
    expect(ops.map((o) => `${o.op} ${o.path}`)).toEqual([
      'test /status/tasks/a/worker',
      'test /status/tasks/a/attempt',
      'test /status/tasks/a/phase',
      'add /status/tasks/a/phase',
      'add /status/tasks/a/startedAt',
      'test /status/tasks/b/worker',
      'test /status/tasks/b/attempt',
      'test /status/tasks/b/phase',
      'add /status/tasks/b/phase',
      'add /status/tasks/b/reason',
    ]);
    expect(ops[7]).toEqual({ op: 'test', path: '/status/tasks/b/phase', value: 'Running' });
  });

  it('escapes ~ and / in task keys as JSON Pointer requires (~ first)', () => {
    const ops = reportOps([report('deploy/step~1')]);
    expect(ops[0]?.path).toBe('/status/tasks/deploy~1step~01/worker');
    expect(reportOps([report('~/')])[0]?.path).toBe('/status/tasks/~0~1/worker');
    // Reserved characters of grown tasks other than / need no escaping.
    expect(reportOps([report('fanout[3]')])[0]?.path).toBe('/status/tasks/fanout[3]/worker');
    expect(reportOps([report('step#2')])[0]?.path).toBe('/status/tasks/step#2/worker');
  });

  it('leaves out fields set to undefined', () => {
    const ops = reportOps([report('a', { set: { phase: 'Succeeded', message: undefined } })]);
    expect(ops.filter((o) => o.op === 'add')).toEqual([
      { op: 'add', path: '/status/tasks/a/phase', value: 'Succeeded' },
    ]);
  });

  it('truncates a long message to fit the schema, and only the message', () => {
    const long = 'x'.repeat(10_000);
    const ops = reportOps([
      report('a', { set: { phase: 'Failed', reason: 'ActionFailed', message: long } }),
    ]);
    const message = ops.find((o) => o.path.endsWith('/message'));
    expect(typeof message?.value).toBe('string');
    expect((message?.value as string).length).toBe(4000);
    expect(long.startsWith(message?.value as string)).toBe(true);
    const short = reportOps([report('a', { set: { phase: 'Failed', message: 'short' } })]);
    expect(short.find((o) => o.path.endsWith('/message'))?.value).toBe('short');
  });

  it('returns no ops for no reports', () => {
    expect(reportOps([])).toEqual([]);
  });
});

describe('mergeReports', () => {
  it('keeps the earlier precondition and lets the later fields win', () => {
    const running = report('a', { expect: 'Scheduled' });
    const done = report('a', {
      expect: 'Running',
      set: { phase: 'Succeeded', finishedAt: '2026-05-01T10:00:05.000Z' },
    });
    expect(mergeReports(running, done)).toEqual({
      ...running,
      expect: 'Scheduled',
      set: {
        phase: 'Succeeded',
        startedAt: '2026-05-01T10:00:00.000Z',
        finishedAt: '2026-05-01T10:00:05.000Z',
      },
    });
    // The inputs are not modified.
    expect(running.set.phase).toBe('Running');
  });
});
