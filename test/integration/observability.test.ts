import { createServer } from 'node:net';
import { EventsV1Api, type EventsV1Event } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

// One operator and one worker, each serving /metrics on a port of its own;
// three instances (two succeed, one fails) and one Dag with a cycle.
let env: FastflowEnv;
let operatorPort: number;
let workerPort: number;

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Retries `check` until it stops throwing; then rethrows its last failure. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function get(port: number, path: string): Promise<{ code: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { code: res.status, body: await res.text() };
}

/** The samples of a /metrics page, as `name{a="x",b="y"}` (labels sorted) → value. */
async function scrape(port: number): Promise<Map<string, number>> {
  const { code, body } = await get(port, '/metrics');
  expect(code).toBe(200);
  const samples = new Map<string, number>();
  for (const line of body.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = (m[2] ?? '')
      .match(/\w+="[^"]*"/g)
      ?.sort()
      .join(',');
    samples.set(labels ? `${m[1]}{${labels}}` : (m[1] as string), Number(m[3]));
  }
  return samples;
}

async function events(): Promise<EventsV1Event[]> {
  const api = testKubeConfig().makeApiClient(EventsV1Api);
  return (await api.listNamespacedEvent({ namespace: env.namespace })).items;
}

const about = (list: EventsV1Event[], name: string): string[] =>
  list.filter((e) => e.regarding?.name === name).map((e) => e.reason ?? '');

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('obs'));
  [operatorPort, workerPort] = [await freePort(), await freePort()];
  env.startOperator('operator-a', { env: { FASTFLOW_METRICS_PORT: String(operatorPort) } });
  env.startWorker('worker', { env: { FASTFLOW_METRICS_PORT: String(workerPort) } });
  await env.createDag('chain', {
    tasks: [
      { id: 'a', actionName: 'print' },
      { id: 'b', actionName: 'print', dependOn: ['a'] },
      { id: 'c', actionName: 'print', dependOn: ['b'] },
    ],
  });
  await env.createDag('bad-nap', {
    tasks: [{ id: 'nap', actionName: 'sleep', params: { seconds: 'soon' } }],
  });
  await env.createDag('cycle', {
    tasks: [
      { id: 'a', actionName: 'print', dependOn: ['b'] },
      { id: 'b', actionName: 'print', dependOn: ['a'] },
    ],
  });
  for (const [name, dag] of [
    ['chain-1', 'chain'],
    ['chain-2', 'chain'],
    ['bad-nap-1', 'bad-nap'],
  ]) {
    await env.createInstance(name as string, dag as string);
  }
  expect((await env.finished('chain-1')).status?.phase).toBe('Succeeded');
  expect((await env.finished('chain-2')).status?.phase).toBe('Succeeded');
  expect((await env.finished('bad-nap-1')).status?.phase).toBe('Failed');
});
afterAll(async () => env.stop());

describe('probes', () => {
  it('answers /healthz and, once synced (and for the worker its Lease held), /readyz', async () => {
    for (const port of [operatorPort, workerPort]) {
      expect(await get(port, '/healthz')).toEqual({ code: 200, body: 'ok\n' });
      await eventually(async () => expect(await get(port, '/readyz')).toMatchObject({ code: 200 }));
    }
  });
});

describe('worker /metrics', () => {
  it('counts the tasks it ran by action and result, with durations and schedule-to-start', async () => {
    const m = await scrape(workerPort);
    expect(m.get('fastflow_tasks_started_total{action="print"}')).toBe(6);
    expect(m.get('fastflow_tasks_finished_total{action="print",result="Succeeded"}')).toBe(6);
    expect(m.get('fastflow_tasks_finished_total{action="sleep",result="Failed"}')).toBe(1);
    expect(m.get('fastflow_task_duration_seconds_count{action="print",result="Succeeded"}')).toBe(
      6,
    );
    expect(m.get('fastflow_task_schedule_to_start_seconds_count')).toBe(7);
    // Known in advance, so present at zero.
    expect(m.get('fastflow_tasks_finished_total{action="sleep",result="TimedOut"}')).toBe(0);
    expect(m.get('fastflow_kube_requests_total{code="200",verb="PATCH"}')).toBeGreaterThan(0);
    expect(m.get('fastflow_kube_requests_total{code="429",verb="PATCH"}')).toBe(0);
    expect(m.get('fastflow_process_cpu_seconds_total')).toBeGreaterThan(0);
    // Never an instance or task name as a label.
    expect([...m.keys()].some((k) => /chain-1|bad-nap/.test(k))).toBe(false);
  });
});

describe('operator /metrics', () => {
  it('reports leadership, instances by phase, workers, reconciles, the queue and the API', async () => {
    const m = await eventually(async () => {
      const s = await scrape(operatorPort);
      expect(s.get('fastflow_instances{phase="Succeeded"}')).toBe(2);
      expect(s.get('fastflow_events_total{reason="Started",result="written"}')).toBe(3);
      return s;
    });
    expect(m.get('fastflow_is_leader')).toBe(1);
    expect(m.get('fastflow_instances{phase="Failed"}')).toBe(1);
    expect(m.get('fastflow_instances{phase="Running"}')).toBe(0);
    expect(m.get('fastflow_live_workers')).toBe(1);
    const pass = 'fastflow_reconcile_duration_seconds_count';
    expect(m.get(`${pass}{controller="daginstance",result="success"}`)).toBeGreaterThan(0);
    expect(m.get(`${pass}{controller="dag",result="success"}`)).toBeGreaterThanOrEqual(3);
    expect(m.get('fastflow_reconcile_errors_total{controller="dag",result="terminal"}')).toBe(0);
    expect(m.get('fastflow_workqueue_depth{controller="daginstance"}')).toBe(0);
    expect(
      m.get('fastflow_workqueue_queue_duration_seconds_count{controller="daginstance"}'),
    ).toBeGreaterThan(0);
    expect(m.get('fastflow_kube_requests_total{code="200",verb="PATCH"}')).toBeGreaterThan(0);
    expect([...m.keys()].some((k) => /chain-1|bad-nap/.test(k))).toBe(false);
  });
});

describe('Kubernetes Events', () => {
  it('records each instance starting and finishing once, a failed task, and an invalid Dag', async () => {
    const list = await eventually(async () => {
      const all = await events();
      expect(about(all, 'chain-1')).toContain('Succeeded');
      expect(about(all, 'chain-2')).toContain('Succeeded');
      expect(about(all, 'bad-nap-1')).toContain('Failed');
      expect(about(all, 'cycle')).toContain('InvalidDag');
      return all;
    });
    for (const name of ['chain-1', 'chain-2']) {
      expect(about(list, name).sort()).toEqual(['Started', 'Succeeded']);
    }
    expect(about(list, 'bad-nap-1').sort()).toEqual(['Failed', 'Started', 'TaskFailed']);
    const failed = list.find((e) => e.reason === 'TaskFailed');
    expect(failed).toMatchObject({
      type: 'Warning',
      reportingController: 'fastflow.io/operator',
      reportingInstance: 'operator-a',
      regarding: { kind: 'DagInstance', name: 'bad-nap-1', namespace: env.namespace },
    });
    expect(failed?.note).toContain('task nap failed (attempt 1, InvalidParams: ');
    const invalid = list.find((e) => e.reason === 'InvalidDag');
    expect(invalid).toMatchObject({ type: 'Warning', regarding: { kind: 'Dag', name: 'cycle' } });
    expect(invalid?.note).toMatch(/cycle/);
    const shown = await env.kubectl(['events', '--for', 'daginstance/bad-nap-1']);
    expect(shown.stdout).toMatch(/Warning\s+TaskFailed\s+daginstance\/bad-nap-1/i);
  });
});
