import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus, TaskStatus } from '../api/dag-instance.ts';
import { traceGcMark, tracesToDelete, type TraceSeen } from './trace-gc.ts';

const limits = { attemptsPerTask: 2, perInstance: 10 };
const task = (attempt: number, phase: TaskStatus['phase'] = 'Succeeded'): TaskStatus => ({
  phase,
  attempt,
});
const status = (tasks: Record<string, TaskStatus>): DagInstanceStatus => ({ tasks });
const trace = (task: string, attempt: number, createdAt = attempt): TraceSeen => ({
  name: `${task}-${attempt}`,
  task,
  attempt,
  createdAt,
});

describe('traceGcMark', () => {
  it('is 0 while no task has more attempts than kept and all fit', () => {
    expect(traceGcMark(status({ a: task(2), b: task(1) }), limits)).toBe(0);
    expect(traceGcMark({}, limits)).toBe(0);
  });

  it('grows with every attempt beyond the per-task limit', () => {
    expect(traceGcMark(status({ a: task(3) }), limits)).toBe(2);
    expect(traceGcMark(status({ a: task(4), b: task(3) }), limits)).toBe(6);
  });

  it('grows every tenth of the total limit beyond it', () => {
    const tasks = (n: number) =>
      status(Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, task(1)])));
    const big = { attemptsPerTask: 3, perInstance: 100 };
    expect(traceGcMark(tasks(100), big)).toBe(0);
    expect(traceGcMark(tasks(101), big)).toBe(2);
    expect(traceGcMark(tasks(109), big)).toBe(2);
    expect(traceGcMark(tasks(110), big)).toBe(4);
  });

  it('changes once more when the instance finishes, and again if a retry adds attempts', () => {
    const running = traceGcMark(status({ a: task(3) }), limits);
    const finished = traceGcMark({ ...status({ a: task(3) }), phase: 'Failed' }, limits);
    const retried = traceGcMark({ ...status({ a: task(4) }), phase: 'Running' }, limits);
    expect(new Set([running, finished, retried]).size).toBe(3);
    expect(finished).toBeGreaterThan(running);
    expect(retried).toBeGreaterThan(finished);
    expect(traceGcMark({ ...status({ a: task(1) }), phase: 'Succeeded' }, limits)).toBe(0);
  });
});

describe('tracesToDelete', () => {
  it("keeps each task's last attempts and deletes the older ones", () => {
    const traces = [trace('a', 1), trace('a', 2), trace('a', 3), trace('b', 1)];
    expect(tracesToDelete(traces, status({ a: task(3), b: task(1) }), limits)).toEqual(['a-1']);
    // The status may be ahead of the traces (attempt 4 has not traced yet).
    expect(tracesToDelete(traces, status({ a: task(4, 'Running') }), limits).sort()).toEqual([
      'a-1',
      'a-2',
    ]);
  });

  it('deletes the oldest beyond the total, never the trace of a running attempt', () => {
    const traces = Array.from({ length: 12 }, (_, i) => trace(`t${i}`, 1, i));
    const tasks = Object.fromEntries(traces.map((t) => [t.task, task(1)]));
    expect(tracesToDelete(traces, status(tasks), limits)).toEqual(['t0-1', 't1-1']);
    tasks['t0'] = task(1, 'Running');
    expect(tracesToDelete(traces, status(tasks), limits)).toEqual(['t1-1', 't2-1']);
  });

  it('deletes nothing when everything fits', () => {
    expect(tracesToDelete([trace('a', 1)], status({ a: task(1) }), limits)).toEqual([]);
  });
});
