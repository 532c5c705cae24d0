/**
 * The chart's Grafana dashboard (metrics.grafanaDashboard) queries only
 * metrics and labels that an operator and a worker expose once they have run
 * a Dag, through the chart's data source variable.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePorts } from '../local-cluster/ports.ts';
import {
  exposedSeries,
  promqlNames,
  PROMQL_FUNCTIONS,
  type GrafanaDashboard,
} from '../support/dashboard-queries.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { manifests, render } from '../support/helm.ts';
import { useHelmRelease, type Loose } from '../support/helm-release.ts';

const chart = useHelmRelease();
let env: FastflowEnv;
let metricsPorts: { operator: number; worker: number };

// This test's own operator and worker: every series they expose after a run.
beforeAll(async () => {
  env = new FastflowEnv(chart.ns);
  const [operator, worker] = (await freePorts(2)) as [number, number];
  metricsPorts = { operator, worker };
  env.startOperator('operator', { env: { FASTFLOW_METRICS_PORT: String(operator) } });
  env.startWorker('worker', { env: { FASTFLOW_METRICS_PORT: String(worker) } });
  await env.createDag('chain', {
    tasks: [
      { id: 'a', actionName: 'print' },
      { id: 'b', actionName: 'sleep', dependOn: ['a'], params: { seconds: 0.1 } },
      { id: 'c', actionName: 'print', dependOn: ['b'] },
    ],
  });
  await env.createInstance('chain-1', 'chain');
  const done = await env.finished('chain-1');
  if (done.status?.phase !== 'Succeeded') {
    throw new Error(`the Dag run ended ${done.status?.phase}; logs: ${env.logs}`);
  }
});

afterAll(async () => {
  await env?.stop();
});

it('the Grafana dashboard queries only metrics and labels this operator and worker expose', async () => {
  const series = new Map<string, Set<string>>();
  for (const port of [metricsPorts.operator, metricsPorts.worker]) {
    for (const [name, labels] of await exposedSeries(port)) {
      series.set(name, new Set([...(series.get(name) ?? []), ...labels]));
    }
  }
  expect([...series.keys()]).toEqual(
    expect.arrayContaining(['fastflow_is_leader', 'fastflow_task_duration_seconds_bucket']),
  );
  // Labels of the scrape itself: Prometheus's (job, instance), the ServiceMonitor's
  // (namespace, pod, ...) and its podTargetLabels, as Prometheus spells them.
  const [monitor] = manifests(
    await render(
      chart.helm,
      chart.opts({
        set: ['metrics.serviceMonitor.enabled=true'],
        only: ['templates/servicemonitor.yaml'],
      }),
    ),
  ) as Loose[];
  const scrapeLabels = new Set([
    ...['job', 'instance', 'namespace', 'service', 'pod', 'container', 'endpoint'],
    ...(monitor.spec.podTargetLabels as string[]).map((l) => l.replace(/\W/g, '_')),
  ]);

  const off = manifests(await render(chart.helm, chart.opts()));
  expect(off.filter((m) => m.metadata.labels?.['grafana_dashboard'] !== undefined)).toEqual([]);
  const on = manifests(
    await render(
      chart.helm,
      chart.opts({
        set: ['metrics.grafanaDashboard.enabled=true'],
        only: ['templates/grafana-dashboard.yaml'],
      }),
    ),
  ) as Loose[];
  expect(on).toHaveLength(1);
  expect(on[0]).toMatchObject({
    kind: 'ConfigMap',
    metadata: {
      name: `${chart.fullname}-dashboard`,
      namespace: chart.ns,
      labels: { grafana_dashboard: '1' },
    },
  });
  const dashboard = JSON.parse(on[0].data['fastflow.json'] as string) as GrafanaDashboard;
  expect(dashboard.uid).toBe('fastflow');

  // Every query goes to the data source variable; collect them with where they are.
  const ds = { type: 'prometheus', uid: '$' + '{DS_PROMETHEUS}' };
  const variables = dashboard.templating.list;
  expect(variables).toContainEqual(
    expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', query: 'prometheus' }),
  );
  const queries: { where: string; expr: string }[] = [];
  const datasources: unknown[] = [];
  for (const v of variables.filter((v) => v.type === 'query')) {
    datasources.push(v.datasource);
    const expr = typeof v.query === 'string' ? v.query : v.query?.query;
    queries.push({ where: `variable ${v.name}`, expr: expr ?? '' });
  }
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  for (const p of panels.filter((p) => p.type !== 'row')) {
    expect(p.targets?.length, p.title).toBeGreaterThan(0);
    datasources.push(p.datasource, ...(p.targets ?? []).map((t) => t.datasource));
    queries.push(...(p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr ?? '' })));
  }
  expect(datasources.filter((d) => JSON.stringify(d) !== JSON.stringify(ds))).toEqual([]);

  const problems: string[] = [];
  for (const { where, expr } of queries) {
    const { metrics, labels, functions } = promqlNames(expr);
    if (metrics.length === 0) problems.push(`${where}: no metric in ${expr}`);
    if (expr.split('(').length !== expr.split(')').length) problems.push(`${where}: ( ≠ )`);
    for (const f of functions.filter((f) => !PROMQL_FUNCTIONS.has(f))) {
      problems.push(`${where}: unknown function ${f}`);
    }
    for (const metric of metrics) {
      const has = series.get(metric);
      if (has === undefined) problems.push(`${where}: ${metric} is not exposed`);
      const missing = labels.filter((l) => has?.has(l) === false && !scrapeLabels.has(l));
      for (const l of missing) problems.push(`${where}: ${metric} has no label ${l}`);
    }
  }
  expect(problems).toEqual([]);
});
