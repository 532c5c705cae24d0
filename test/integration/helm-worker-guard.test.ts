/**
 * The chart's worker guard (a ValidatingAdmissionPolicy), applied for real: a
 * worker may write fastflow's ConfigMaps, mutex Leases and its own Lease,
 * and nothing else of the kind, whether it is the user fastflow-worker or
 * holds a ServiceAccount token bound to its Pod.
 */
import { beforeAll, expect, it } from 'vitest';
import { uniqueProcessName } from '../../operator/config/load.ts';
import {
  applyChartRbac,
  OTHER_WORKER_LEASE,
  seedWorkerObjects,
  traceConfigMap,
  WORKER_USER,
  type ChartCredentials,
} from '../support/chart-rbac.ts';
import { kubectl, testWorkerKubeconfigPath } from '../support/cluster.ts';
import { useHelmRelease } from '../support/helm-release.ts';
import { kubectlAs, lease, ok } from '../support/kube-requests.ts';

const chart = useHelmRelease();
let pods: ChartCredentials['pods'];
let kc: ChartCredentials['kc'];
/** The uid of the seeded DagInstance, which owns fastflow's ConfigMaps. */
let seedUid: string;

beforeAll(async () => {
  ({ pods, kc } = await applyChartRbac(chart));
  seedUid = await seedWorkerObjects(chart);
});

it('as the user fastflow-worker: fastflow ConfigMaps and mutex Leases yes, others 403', async (ctx) => {
  const user = testWorkerKubeconfigPath();
  if (user === undefined) return ctx.skip();
  const as = kubectlAs(user);
  // A trace (create, replace) and share data (merge patch), owned by the instance.
  await ok(
    as(['create', '-f', '-'], traceConfigMap('seed-1-trace', chart.otherNs, seedUid)),
    'create trace',
  );
  await ok(
    as(['replace', '-f', '-'], traceConfigMap('seed-1-trace', chart.otherNs, seedUid)),
    'update trace',
  );
  const share = ['-n', chart.otherNs, 'patch', 'configmap', 'seed-1-trace', '--type=merge'];
  await ok(as([...share, '-p', '{"data":{"k":"v"}}']), 'patch share data');
  // A mutex Lease of the SDK, shared by every worker.
  await ok(
    as(['create', '-f', '-'], lease('fastflow-mutex-0123456789abcdef', chart.ns)),
    'create mutex',
  );
  await ok(as(['-n', chart.ns, 'delete', 'lease', 'fastflow-mutex-0123456789abcdef']), 'unlock');

  const adopt = {
    metadata: {
      ownerReferences: [
        { apiVersion: 'fastflow.io/v1alpha1', kind: 'DagInstance', name: 'seed-1', uid: seedUid },
      ],
    },
  };
  const patchAppConfig = (patch: string): ReturnType<typeof as> =>
    as(['-n', chart.otherNs, 'patch', 'configmap', 'app-config', '--type=merge', '-p', patch]);
  const refused = await Promise.all([
    as(['create', '-f', '-'], traceConfigMap('mine-now', chart.otherNs)),
    patchAppConfig('{"data":{"x":"y"}}'),
    patchAppConfig(JSON.stringify(adopt)),
  ]);
  for (const r of refused) {
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /\(Forbidden\).*fastflow worker guard: fastflow-worker may only write ConfigMaps owned by a DagInstance/,
    );
  }
});

it("as the user fastflow-worker: its actions' schemas in the release namespace, by their name only", async (ctx) => {
  const user = testWorkerKubeconfigPath();
  if (user === undefined) return ctx.skip();
  const as = kubectlAs(user);
  const schemas = 'fastflow-actions-0123456789abcdef';
  await ok(as(['create', '-f', '-'], traceConfigMap(schemas, chart.ns)), 'create schemas');
  const refused = await Promise.all([
    as(['create', '-f', '-'], traceConfigMap('fastflow-actions-mine', chart.ns)),
    as(['create', '-f', '-'], traceConfigMap(schemas, chart.otherNs)),
  ]);
  for (const r of refused) {
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\(Forbidden\).*fastflow worker guard/);
  }
});

it("as the user fastflow-worker: another worker's Lease is refused by the worker guard (403)", async (ctx) => {
  const user = testWorkerKubeconfigPath();
  if (user === undefined) return ctx.skip();
  const as = kubectlAs(user);
  const refused = await Promise.all([
    as(['create', '-f', '-'], lease('other-worker-9f8e7', chart.ns)),
    as(['create', '-f', '-'], lease(WORKER_USER, chart.ns)), // not <name>-<5 hex>
    as([
      '-n',
      chart.ns,
      'patch',
      'lease',
      OTHER_WORKER_LEASE,
      '--type=merge',
      '-p',
      '{"spec":{"holderIdentity":"me"}}',
    ]),
    as(['-n', chart.ns, 'delete', 'lease', OTHER_WORKER_LEASE]),
    as(['create', '-f', '-'], lease('fastflow-operator', chart.ns)),
  ]);
  for (const r of refused) {
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /\(Forbidden\).*fastflow worker guard: fastflow-worker may only write its own worker Lease \(fastflow-worker-<5 hex>\) and mutex Leases/,
    );
  }
});

it("with a token bound to a worker Pod: only that Pod's Leases, whatever the name length", async () => {
  // The lease name the worker in that pod really uses (FASTFLOW_NAME = pod name).
  const own = [
    { kubeconfig: kc.worker, name: uniqueProcessName(pods.short) },
    { kubeconfig: kc.workerLong, name: uniqueProcessName(pods.long) },
  ];
  expect(own[1]?.name.length).toBeLessThanOrEqual(63);
  for (const { kubeconfig, name } of own) {
    await ok(
      kubectl(['create', '-f', '-'], { kubeconfig, input: lease(name, chart.ns) }),
      `create ${name}`,
    );
    await ok(kubectl(['-n', chart.ns, 'delete', 'lease', name], { kubeconfig }), `delete ${name}`);
  }
  const refused = await Promise.all([
    // The other pod's Lease.
    kubectl(['create', '-f', '-'], {
      kubeconfig: kc.worker,
      input: lease(uniqueProcessName(pods.long), chart.ns),
    }),
    kubectl(['create', '-f', '-'], {
      kubeconfig: kc.workerLong,
      input: lease(uniqueProcessName(pods.short), chart.ns),
    }),
    kubectl(['-n', chart.ns, 'delete', 'lease', OTHER_WORKER_LEASE], { kubeconfig: kc.worker }),
    // A token of the workers' ServiceAccount bound to no Pod owns no Lease.
    kubectl(['create', '-f', '-'], {
      kubeconfig: kc.unbound,
      input: lease(uniqueProcessName(pods.short), chart.ns),
    }),
  ]);
  for (const r of refused) {
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\(Forbidden\).*fastflow worker guard/);
  }
  expect(refused[3]?.stderr).toMatch(/its credentials name no pod/);
});
