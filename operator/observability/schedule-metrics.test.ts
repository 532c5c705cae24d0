import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { samples } from '../../test/support/metric-samples.ts';
import { ScheduleMetrics, type ScheduleState } from './schedule-metrics.ts';

describe('ScheduleMetrics', () => {
  it('counts runs by result from zero and reads the schedules by state when scraped', async () => {
    const registry = new Registry();
    let states: ScheduleState[] = [];
    const metrics = new ScheduleMetrics(registry, () => states);
    let s = await samples(registry);
    for (const result of ['started', 'missed', 'replaced']) {
      expect(s.get(`fastflow_schedule_runs_total{result="${result}"}`)).toBe(0);
    }
    expect(s.get('fastflow_schedules{state="scheduled"}')).toBe(0);
    metrics.runs('started');
    metrics.runs('missed', 7);
    metrics.runs('missed', 0);
    states = ['scheduled', 'scheduled', 'invalid'];
    s = await samples(registry);
    expect(s.get('fastflow_schedule_runs_total{result="started"}')).toBe(1);
    expect(s.get('fastflow_schedule_runs_total{result="missed"}')).toBe(7);
    expect(s.get('fastflow_schedules{state="scheduled"}')).toBe(2);
    expect(s.get('fastflow_schedules{state="invalid"}')).toBe(1);
    expect(s.get('fastflow_schedules{state="suspended"}')).toBe(0);
  });
});
