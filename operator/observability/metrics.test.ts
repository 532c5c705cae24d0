import { describe, expect, it } from 'vitest';
import { samples } from '../../test/support/metric-samples.ts';
import { KUBE_CODES, KUBE_VERBS, KubeRequestMetrics, createRegistry } from './metrics.ts';
import { CONTROLLERS, OperatorMetrics, RECONCILE_RESULTS } from './operator-metrics.ts';
import { Registry as PromRegistry } from 'prom-client';

describe('createRegistry', () => {
  it('has the default process metrics, prefixed fastflow_', async () => {
    const names = (await createRegistry().getMetricsAsJSON()).map((m) => m.name);
    expect(names).toContain('fastflow_process_cpu_seconds_total');
    expect(names).toContain('fastflow_nodejs_heap_size_used_bytes');
    expect(names.every((n) => n.startsWith('fastflow_'))).toBe(true);
  });
});

describe('KubeRequestMetrics', () => {
  it('starts every known verb and code at zero and counts responses', async () => {
    const registry = new PromRegistry();
    const kube = new KubeRequestMetrics(registry);
    let s = await samples(registry);
    for (const verb of KUBE_VERBS) {
      for (const code of KUBE_CODES) {
        expect(s.get(`fastflow_kube_requests_total{code="${code}",verb="${verb}"}`)).toBe(0);
      }
    }
    kube.onResponse('patch', 409);
    kube.onResponse('GET', 'error');
    kube.onResponse('GET', 418);
    s = await samples(registry);
    expect(s.get('fastflow_kube_requests_total{code="409",verb="PATCH"}')).toBe(1);
    expect(s.get('fastflow_kube_requests_total{code="error",verb="GET"}')).toBe(1);
    expect(s.get('fastflow_kube_requests_total{code="418",verb="GET"}')).toBe(1);
  });
});

describe('OperatorMetrics', () => {
  it('exposes every controller, result, phase and event reason at zero before anything happens', async () => {
    const registry = new PromRegistry();
    new OperatorMetrics(registry);
    const s = await samples(registry);
    for (const controller of CONTROLLERS) {
      for (const result of RECONCILE_RESULTS) {
        const labels = `controller="${controller}",result="${result}"`;
        expect(s.get(`fastflow_reconcile_duration_seconds_count{${labels}}`)).toBe(0);
      }
      for (const result of ['error', 'terminal']) {
        const labels = `controller="${controller}",result="${result}"`;
        expect(s.get(`fastflow_reconcile_errors_total{${labels}}`)).toBe(0);
      }
      expect(s.get(`fastflow_workqueue_depth{controller="${controller}"}`)).toBe(0);
      expect(
        s.get(`fastflow_workqueue_queue_duration_seconds_count{controller="${controller}"}`),
      ).toBe(0);
    }
    for (const phase of ['Pending', 'Running', 'Blocked', 'Succeeded', 'Failed', 'Canceled']) {
      expect(s.get(`fastflow_instances{phase="${phase}"}`)).toBe(0);
    }
    expect(s.get('fastflow_events_total{reason="TaskFailed",result="failed"}')).toBe(0);
    expect(s.get('fastflow_is_leader')).toBe(0);
    expect(s.get('fastflow_live_workers')).toBe(0);
  });

  it('reads the gauges from its sources at scrape time', async () => {
    const registry = new PromRegistry();
    const metrics = new OperatorMetrics(registry);
    const instances = [
      { status: { phase: 'Running' } },
      { status: { phase: 'Running' } },
      { status: { phase: 'Succeeded' } },
      {}, // not started yet
      { status: { phase: 'Exploded' } }, // not a phase: counted as Pending, never a new label
    ];
    let leading = false;
    metrics.observe({
      instances: () => instances,
      liveWorkers: () => 3,
      isLeader: () => leading,
      queueDepth: (c) => (c === 'dag' ? 1 : 7),
    });
    let s = await samples(registry);
    expect(s.get('fastflow_instances{phase="Running"}')).toBe(2);
    expect(s.get('fastflow_instances{phase="Succeeded"}')).toBe(1);
    expect(s.get('fastflow_instances{phase="Pending"}')).toBe(2);
    expect(s.get('fastflow_instances{phase="Failed"}')).toBe(0);
    expect([...s.keys()].some((k) => k.includes('Exploded'))).toBe(false);
    expect(s.get('fastflow_workqueue_depth{controller="daginstance"}')).toBe(7);
    expect(s.get('fastflow_live_workers')).toBe(3);
    expect(s.get('fastflow_is_leader')).toBe(0);
    leading = true;
    instances.pop();
    s = await samples(registry);
    expect(s.get('fastflow_is_leader')).toBe(1);
    expect(s.get('fastflow_instances{phase="Pending"}')).toBe(1);
  });

  it('counts passes by result, errors apart, and queue waits', async () => {
    const registry = new PromRegistry();
    const metrics = new OperatorMetrics(registry);
    metrics.reconciled('daginstance', 'success', 12);
    metrics.reconciled('daginstance', 'error', 3);
    metrics.reconciled('dag', 'terminal', 1);
    metrics.queueWaited('daginstance', 250);
    metrics.event('Started', 'written');
    const s = await samples(registry);
    const d = 'fastflow_reconcile_duration_seconds';
    expect(s.get(`${d}_count{controller="daginstance",result="success"}`)).toBe(1);
    expect(s.get(`${d}_sum{controller="daginstance",result="success"}`)).toBeCloseTo(0.012);
    expect(s.get(`${d}_count{controller="daginstance",result="error"}`)).toBe(1);
    const e = 'fastflow_reconcile_errors_total';
    expect(s.get(`${e}{controller="daginstance",result="error"}`)).toBe(1);
    expect(s.get(`${e}{controller="dag",result="terminal"}`)).toBe(1);
    expect(s.get(`${e}{controller="daginstance",result="terminal"}`)).toBe(0);
    expect(
      s.get('fastflow_workqueue_queue_duration_seconds_sum{controller="daginstance"}'),
    ).toBeCloseTo(0.25);
    expect(s.get('fastflow_events_total{reason="Started",result="written"}')).toBe(1);
  });
});
