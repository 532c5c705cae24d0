import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../api/dag.ts';
import { DagInstanceStatus } from '../../api/dag-instance.ts';
import {
  at,
  failure,
  graphOf,
  phases,
  report,
  start,
  step,
  succeedAssigned,
  task,
  worker,
} from '../../../test/support/decide-fixtures.ts';

// forEach through decide(), as the reconciler runs it: copies x[i] are
// placed by the fan-out task in the pass that visits it.

const fan = (items: string, more: Partial<TaskSpec> = {}): TaskSpec => ({
  ...task('resize', ['list']),
  params: { file: '{{item}}' },
  forEach: { items, ...(more.forEach ?? {}) },
  ...more,
});
const dagOf = (spec: TaskSpec) => graphOf([task('list'), spec, task('join', ['resize'])]);
const workers = [worker('w1', ['Print'], 100)];

/** Runs every assigned copy to success, pass after pass, until nothing is assigned. */
const succeedAll = (graph: ReturnType<typeof dagOf>, from: DagInstanceStatus) =>
  succeedAssigned(graph, step(graph, from, workers, at(3)), workers, 4);

function afterList(graph: ReturnType<typeof dagOf>, output: unknown = ['a', 'b', 'c']) {
  const placed = step(graph, start(), workers, at(1));
  const ran = report(report(placed.status, 'list', 'AttemptStarted'), 'list', 'AttemptSucceeded');
  return {
    ...ran,
    tasks: { ...ran.tasks, list: { ...ran.tasks?.['list'], phase: 'Succeeded' as const, output } },
  };
}

describe('a forEach task', () => {
  it('places one copy per item in the pass it becomes ready, and records the items', () => {
    const graph = dagOf(fan('tasks.list.output'));
    const d = step(graph, afterList(graph), workers, at(2));
    expect(d.assigned.map((a) => a.task)).toEqual(['resize[0]', 'resize[1]', 'resize[2]']);
    expect(d.status.tasks?.['resize']).toMatchObject({
      phase: 'Running',
      items: 3,
      params: { items: ['a', 'b', 'c'] },
    });
    expect(d.status.tasks?.['resize']?.worker).toBeUndefined();
    expect(DagInstanceStatus.safeParse(d.status).success).toBe(true);
  });

  it('succeeds with the copies outputs in item order once all are done; the join runs then', () => {
    const graph = dagOf(fan('tasks.list.output'));
    const d = succeedAll(graph, afterList(graph));
    expect(d.status.tasks?.['resize']).toMatchObject({
      phase: 'Succeeded',
      output: ['resize[0]', 'resize[1]', 'resize[2]'],
    });
    expect(d.status.phase).toBe('Succeeded');
  });

  it('runs at most maxConcurrency copies at once, in item order', () => {
    const graph = dagOf(
      fan('tasks.list.output', { forEach: { items: 'tasks.list.output', maxConcurrency: 2 } }),
    );
    const d = step(graph, afterList(graph), workers, at(2));
    expect(d.assigned.map((a) => a.task)).toEqual(['resize[0]', 'resize[1]']);
    const one = report(
      report(d.status, 'resize[0]', 'AttemptStarted'),
      'resize[0]',
      'AttemptSucceeded',
    );
    expect(step(graph, one, workers, at(3)).assigned.map((a) => a.task)).toEqual(['resize[2]']);
  });

  it('zero items: succeeds with [] and no copy', () => {
    const graph = dagOf(fan('[]'));
    const d = step(graph, afterList(graph), workers, at(2));
    expect(d.status.tasks?.['resize']).toMatchObject({ phase: 'Succeeded', output: [] });
    expect(d.assigned.map((a) => a.task)).toEqual(['join']);
  });

  it('more items than maxItems: fails FanOutTooLarge naming the count and the bound', () => {
    const graph = dagOf(
      fan('tasks.list.output', { forEach: { items: 'tasks.list.output', maxItems: 2 } }),
    );
    const d = step(graph, afterList(graph), workers, at(2));
    expect(d.status.tasks?.['resize']).toMatchObject({ phase: 'Failed', reason: 'FanOutTooLarge' });
    expect(d.status.tasks?.['resize']?.message).toContain('3 items, more than maxItems 2');
    expect(d.assigned).toEqual([]);
    expect(d.status.phase).toBe('Failed');
  });

  it('items that are not a list fail the task with a clear message', () => {
    const graph = dagOf(fan('"not json"'));
    const d = step(graph, afterList(graph), workers, at(2));
    expect(d.status.tasks?.['resize']?.message).toContain('must give a list');
  });

  it('a copy that fails stops the copies not started and fails the fan-out once none runs', () => {
    const graph = dagOf(
      fan('tasks.list.output', { forEach: { items: 'tasks.list.output', maxConcurrency: 2 } }),
    );
    const d = step(graph, afterList(graph), workers, at(2));
    const s1 = failure(report(d.status, 'resize[0]', 'AttemptStarted'), 'resize[0]');
    const d2 = step(graph, s1, workers, at(3));
    expect(d2.assigned).toEqual([]);
    expect(phases(d2.status)['resize']).toBe('Running');
    const s2 = report(
      report(d2.status, 'resize[1]', 'AttemptStarted'),
      'resize[1]',
      'AttemptSucceeded',
    );
    const d3 = step(graph, s2, workers, at(4));
    expect(d3.status.tasks?.['resize']).toMatchObject({
      phase: 'Failed',
      reason: 'GrownTaskFailed',
    });
    expect(d3.status.tasks?.['resize[2]']).toBeUndefined();
    expect(d3.status.phase).toBe('Failed');
  });
});

describe('a forEach task within its status bound', () => {
  it('items above 64 KiB of JSON fail it FanOutTooLarge, saying the bytes', () => {
    const graph = dagOf(fan('vars.s.split(",")'));
    const vars = { s: Array.from({ length: 1000 }, () => 'y'.repeat(80)).join(',') };
    const d = step(graph, afterList(graph), workers, at(2), { vars });
    expect(d.status.tasks?.['resize']).toMatchObject({ phase: 'Failed', reason: 'FanOutTooLarge' });
    expect(d.status.tasks?.['resize']?.message).toContain('more than the 65536');
  });
});

describe('operations on a fan-out', () => {
  /** A fan-out failed by its copy 0 (maxConcurrency 1: copies 1 and 2 never started). */
  function failedFanOut(graph: ReturnType<typeof dagOf>) {
    const d = step(graph, afterList(graph), workers, at(2));
    return step(
      graph,
      failure(report(d.status, 'resize[0]', 'AttemptStarted'), 'resize[0]'),
      workers,
      at(3),
    );
  }
  const limited = () =>
    dagOf(fan('tasks.list.output', { forEach: { items: 'tasks.list.output', maxConcurrency: 1 } }));

  it.each([
    ['a retry naming none', '1:'],
    ['a retry naming the fan-out', '1:resize'],
  ])('%s retries its failed copies and the fan-out goes on where it was', (_what, value) => {
    const graph = limited();
    const failed = failedFanOut(graph);
    expect(failed.status.tasks?.['resize']?.phase).toBe('Failed');
    const annotations = { 'fastflow.io/retry': value.endsWith(':') ? value.slice(0, -1) : value };
    const d = step(graph, failed.status, workers, at(4), { annotations });
    expect(d.status.operations?.retry?.result).toBe('Applied');
    expect(d.status.tasks?.['resize']).toMatchObject({ phase: 'Running', attempt: 2 });
    expect(d.assigned.map((a) => `${a.task}@${a.attempt}`)).toEqual(['resize[0]@2']);
  });

  it('a cancel naming the fan-out cancels it and the copies under way', () => {
    const graph = dagOf(fan('tasks.list.output'));
    const d = step(graph, afterList(graph), workers, at(2));
    const annotations = { 'fastflow.io/cancel': '1:resize' };
    const c = step(graph, d.status, workers, at(3), { annotations });
    expect(phases(c.status)).toMatchObject({
      resize: 'Canceled',
      'resize[0]': 'Canceled',
      'resize[1]': 'Canceled',
      'resize[2]': 'Canceled',
    });
    expect(c.status.phase).toBe('Canceled');
  });
});

describe('a fan-out when the instance stops', () => {
  it('past the deadline, the copies under way fail with it', () => {
    const graph = dagOf(fan('tasks.list.output'));
    const d = step(graph, afterList(graph), workers, at(2));
    const late = step(graph, d.status, workers, at(10), { deadline: at(5) });
    expect(phases(late.status)).toMatchObject({
      resize: 'Failed',
      'resize[0]': 'Failed',
      'resize[2]': 'Failed',
    });
    expect(late.status.tasks?.['resize[1]']?.reason).toBe('DeadlineExceeded');
  });
});
