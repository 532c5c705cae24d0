import { Registry as PromRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { samples } from '../../test/support/metric-samples.ts';
import { TASK_RESULTS, WorkerMetrics, taskResult } from './metrics.ts';

describe('WorkerMetrics', () => {
  it('exposes every registered action with every result at zero', async () => {
    const registry = new PromRegistry();
    new WorkerMetrics(registry, ['print', 'sleep']);
    const s = await samples(registry);
    for (const action of ['print', 'sleep']) {
      expect(s.get(`fastflow_tasks_started_total{action="${action}"}`)).toBe(0);
      for (const result of TASK_RESULTS) {
        const labels = `action="${action}",result="${result}"`;
        expect(s.get(`fastflow_tasks_finished_total{${labels}}`)).toBe(0);
        expect(s.get(`fastflow_task_duration_seconds_count{${labels}}`)).toBe(0);
      }
    }
    expect(s.get('fastflow_task_schedule_to_start_seconds_count')).toBe(0);
  });

  it('counts started and finished tasks with their durations; clock skew counts as 0', async () => {
    const registry = new PromRegistry();
    const metrics = new WorkerMetrics(registry, ['print']);
    metrics.started('print');
    metrics.finished('print', 'Succeeded', 0.2);
    metrics.scheduledToStarted(0.05);
    metrics.scheduledToStarted(-0.3);
    const s = await samples(registry);
    expect(s.get('fastflow_tasks_started_total{action="print"}')).toBe(1);
    expect(s.get('fastflow_tasks_finished_total{action="print",result="Succeeded"}')).toBe(1);
    expect(s.get('fastflow_task_duration_seconds_sum{action="print",result="Succeeded"}')).toBe(
      0.2,
    );
    expect(s.get('fastflow_task_schedule_to_start_seconds_count')).toBe(2);
    expect(s.get('fastflow_task_schedule_to_start_seconds_sum')).toBeCloseTo(0.05);
  });

  it.each([
    [{ event: 'AttemptSucceeded' }, 'Succeeded'],
    [{ event: 'AttemptFailed', reason: 'ActionFailed' }, 'Failed'],
    [{ event: 'AttemptFailed', reason: 'InvalidParams' }, 'Failed'],
    [{ event: 'AttemptFailed', reason: 'TimedOut' }, 'TimedOut'],
    [{ event: 'AttemptFailed', reason: 'Aborted' }, 'Aborted'],
  ] as const)('labels the outcome %o as result %s', (outcome, result) => {
    expect(taskResult(outcome)).toBe(result);
  });
});
