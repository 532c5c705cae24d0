/**
 * The chart's RBAC and worker guard, applied for real: an operator and a
 * worker holding only these permissions (ServiceAccount tokens, the worker's
 * bound to its Pod) run a Dag to the end, and serve what the chart's probes
 * and ServiceMonitor ask for.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { spawnFastflow, type FastflowProcess } from '../local-cluster/fastflow-process.ts';
import { freePorts } from '../local-cluster/ports.ts';
import type { DagInstance } from '../../operator/api/objects.ts';
import { instanceFinished } from '../../operator/api/dag-instance.ts';
import { TRACE_LABELS } from '../../operator/store/traces.ts';
import { applyChartRbac, type ChartCredentials } from '../support/chart-rbac.ts';
import { kubectl } from '../support/cluster.ts';
import { FAST_LEASES } from '../support/fastflow-env.ts';
import { useHelmRelease } from '../support/helm-release.ts';
import { ok, toYaml } from '../support/kube-requests.ts';

const chart = useHelmRelease();
let pods: ChartCredentials['pods'];
let kc: ChartCredentials['kc'];
const processes: FastflowProcess[] = [];

beforeAll(async () => {
  ({ pods, kc } = await applyChartRbac(chart));
});

afterAll(async () => {
  for (const p of processes) p.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
});

it('an operator and a worker holding only these permissions run a Dag to the end', async () => {
  const logs = mkdtempSync(join(chart.scratch, 'logs-'));
  const spawn = (
    args: string[],
    kubeconfig: string,
    env: Record<string, string>,
  ): FastflowProcess => {
    const p = spawnFastflow(args, {
      kubeconfig,
      namespace: chart.ns,
      logFile: join(logs, `${args[0]}.log`),
      env,
    });
    processes.push(p);
    return p;
  };
  const [operatorPort, workerPort] = (await freePorts(2)) as [number, number];
  const ports = { operator: operatorPort, worker: workerPort };
  spawn(['operator'], kc.operator, {
    ...FAST_LEASES,
    FASTFLOW_METRICS_PORT: String(ports.operator),
  });
  // The worker runs as in its pod: FASTFLOW_NAME is the pod name.
  spawn(['worker'], kc.worker, {
    FASTFLOW_NAME: pods.short,
    FASTFLOW_LEASE_DURATION_SECS: '3',
    FASTFLOW_METRICS_PORT: String(ports.worker),
  });
  await ok(
    kubectl(['-n', chart.ns, 'apply', '-f', '-'], {
      input: toYaml([
        {
          apiVersion: 'fastflow.io/v1alpha1',
          kind: 'Dag',
          metadata: { name: 'chain' },
          spec: {
            tasks: [
              { id: 'a', actionName: 'print' },
              { id: 'b', actionName: 'sleep', dependOn: ['a'], params: { seconds: 0.1 } },
              { id: 'c', actionName: 'print', dependOn: ['b'] },
            ],
          },
        },
        {
          apiVersion: 'fastflow.io/v1alpha1',
          kind: 'DagInstance',
          metadata: { name: 'chain-1' },
          spec: { dagRef: { name: 'chain' } },
        },
      ]),
    }),
    'create the Dag',
  );
  const deadline = Date.now() + 20_000;
  let instance: DagInstance | undefined;
  while (Date.now() < deadline) {
    const out = await kubectl(['-n', chart.ns, 'get', 'dagi', 'chain-1', '-o', 'json']);
    instance = out.code === 0 ? (JSON.parse(out.stdout) as DagInstance) : undefined;
    if (instanceFinished(instance?.status?.phase)) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  const why = `status: ${stringify(instance?.status ?? null)}\nlogs: ${logs}`;
  expect(instance?.status?.phase, why).toBe('Succeeded');
  expect(instance?.status?.tasks?.['c']?.worker, why).toMatch(
    new RegExp(`^${pods.short}-[0-9a-f]{5}$`),
  );
  // No request of either process was refused.
  for (const f of readdirSync(logs)) {
    expect(readFileSync(join(logs, f), 'utf8'), f).not.toMatch(
      /forbidden|"(code|statusCode)":403/i,
    );
  }
  // The worker wrote the traces of its print tasks (ConfigMaps owned by the instance).
  const traces = await ok(
    kubectl([
      '-n',
      chart.ns,
      'get',
      'configmaps',
      '-o',
      'name',
      '-l',
      `${TRACE_LABELS.instance}=chain-1`,
    ]),
    'list traces',
  );
  expect(traces.trim(), `no trace ConfigMap; ${why}`).not.toBe('');
  // What the chart's probes and ServiceMonitor ask for is there.
  for (const port of Object.values(ports)) {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(res.status, `${path} on ${port}`).toBe(200);
    }
  }
  // The leader Lease it holds is beyond a worker's reach.
  const r = await kubectl(
    [
      '-n',
      chart.ns,
      'patch',
      'lease',
      'fastflow-operator',
      '--type=merge',
      '-p',
      '{"spec":{"holderIdentity":"me"}}',
    ],
    { kubeconfig: kc.worker },
  );
  expect(r.stderr).toMatch(/\(Forbidden\).*fastflow worker guard/);
});
