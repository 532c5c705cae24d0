import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import { makePaint, stripColor } from './color.ts';
import {
  activity,
  finalSummary,
  progressBlock,
  progressKey,
  progressLine,
  progressOf,
  truncate,
} from './progress.ts';

const plain = makePaint(false);
const now = new Date('2025-01-01T00:00:10Z');

function instance(status: DagInstanceStatus): DagInstance {
  return {
    apiVersion: 'fastflow.io/v1alpha1',
    kind: 'DagInstance',
    metadata: { name: 'run-1', namespace: 'ns' },
    spec: { dagRef: { name: 'diamond' } },
    status,
  };
}

const running = instance({
  phase: 'Running',
  progress: '1/4',
  startTime: '2025-01-01T00:00:00.000Z',
  tasks: {
    a: { phase: 'Succeeded', attempt: 1 },
    b: { phase: 'Running', attempt: 1, worker: 'w-1', startedAt: '2025-01-01T00:00:08.000Z' },
    c: { phase: 'Scheduled', attempt: 1, worker: 'w-2' },
    x: { phase: 'Pending', reason: 'NoWorkerForAction', message: 'no worker has "deploy"' },
  },
});

describe('progress display', () => {
  it('says what runs, waits, is blocked or failed', () => {
    expect(activity(running)).toBe('running: b, c; waiting for a worker: x');
    const many = instance({
      phase: 'Running',
      tasks: Object.fromEntries(
        Array.from({ length: 7 }, (_, i) => [`t${i}`, { phase: 'Running' as const }]),
      ),
    });
    expect(activity(many)).toBe('running: t0, t1, t2, t3, t4 +2 more');
  });

  it('counts finished tasks from the task phases, with the total from status.progress', () => {
    const ahead = instance({
      phase: 'Running',
      progress: '0/3',
      tasks: { a: { phase: 'Succeeded' }, b: { phase: 'Failed' } },
    });
    expect(progressOf(ahead)).toBe('2/3');
    expect(progressOf(instance({}))).toBe('-');
  });

  it('prints one line per change, none for the gap between a result and the next pass', () => {
    expect(progressKey(running)).toBe('Running 1/4 running: b, c; waiting for a worker: x');
    const gap = instance({
      phase: 'Running',
      progress: '1/2',
      tasks: { a: { phase: 'Succeeded' } },
    });
    expect(progressKey(gap)).toBeUndefined();
    expect(progressLine(running, 1234, plain)).toBe(
      '  +1.2s  Running    1/4      running: b, c; waiting for a worker: x',
    );
  });

  it('draws the block of a terminal: the instance, then its active tasks', () => {
    expect(progressBlock(running, now, plain, 0)).toEqual([
      'daginstance/run-1  Running  1/4  10.0s',
      '  b  Running    w-1  2.0s',
      '  c  Scheduled  w-2',
      '  x  Pending    NoWorkerForAction: no worker has "deploy"',
    ]);
    const colored = progressBlock(running, now, makePaint(true), 0);
    expect(colored.map(stripColor)).toEqual(progressBlock(running, now, plain, 0));
    expect(colored[0]).toContain('\x1b[36mRunning\x1b[39m');
  });

  it('cuts lines to the terminal width, keeping colour resets', () => {
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
    expect(truncate('abc', 5)).toBe('abc');
    expect(truncate('\x1b[1mabcdefgh\x1b[22m', 4)).toBe('\x1b[1mabc…\x1b[22m');
    expect(truncate('abcdefghij', 0)).toBe('abcdefghij');
  });

  it('sums up the end: a success in one line, a failure with what failed and what to do', () => {
    const ok = instance({ phase: 'Succeeded', progress: '4/4', duration: '1.2s' });
    expect(finalSummary(ok, plain)).toEqual([
      'daginstance/run-1 Succeeded: 4/4 tasks finished in 1.2s',
    ]);
    const failed = instance({
      phase: 'Failed',
      progress: '2/2',
      duration: '3.0s',
      tasks: {
        a: { phase: 'Failed', reason: 'ActionFailed', message: 'attempt 1 fails on purpose' },
        b: { phase: 'Canceled', reason: 'Canceled', message: 'canceled by request' },
      },
    });
    expect(finalSummary(failed, plain)).toEqual([
      'daginstance/run-1 Failed: 2/2 tasks finished in 3.0s',
      '  a  Failed  ActionFailed: attempt 1 fails on purpose',
      '  b  Canceled  Canceled: canceled by request',
      '  traces: kubectl fastflow logs run-1 a',
      '  retry:  kubectl fastflow retry run-1',
    ]);
    const notStarted = instance({
      phase: 'Failed',
      message: 'spec.vars: "x" not declared by the Dag',
      conditions: [
        {
          type: 'Succeeded',
          status: 'False',
          reason: 'InvalidVars',
          message: '',
          lastTransitionTime: '2025-01-01T00:00:00Z',
        },
      ],
    });
    expect(finalSummary(notStarted, plain)).toEqual([
      'daginstance/run-1 Failed: ? tasks finished',
      '  InvalidVars: spec.vars: "x" not declared by the Dag',
    ]);
  });
});
