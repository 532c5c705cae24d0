/**
 * The chart's RBAC and worker guard, applied for real to a release under
 * test, with credentials to exercise them: real ServiceAccount tokens bound
 * to real Pods, and the user fastflow-worker bound like the workers'
 * ServiceAccount. And the objects a worker meets, seeded in the other namespace.
 */
import { stringify } from 'yaml';
import { kubectl } from './cluster.ts';
import { manifests, render } from './helm.ts';
import type { HelmRelease, Loose } from './helm-release.ts';
import { kubeconfigWithToken, lease, ok, serviceAccountToken, toYaml } from './kube-requests.ts';

/** The non-admin user of the test cluster, made a worker subject of the chart. */
export const WORKER_USER = 'fastflow-worker';
/** The worker that the seeded instance's task is assigned to (a Lease name of WORKER_USER). */
export const SEEDED_WORKER = `${WORKER_USER}-0a1b2`;
/** Another worker's Lease, seeded in the release namespace. */
export const OTHER_WORKER_LEASE = 'other-worker-0a1b2';

export interface ChartCredentials {
  /** Pods of the default pool's template (never run: no kubelet), for pod-bound tokens. */
  pods: { short: string; long: string };
  /** Kubeconfigs: the operator's ServiceAccount, and the workers' bound to each Pod or to none. */
  kc: { operator: string; worker: string; workerLong: string; unbound: string };
}

const RBAC_KINDS = new Set([
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
]);

/** A ConfigMap holding a trace; owned by the DagInstance whose uid is `ownerUid` when given. */
export function traceConfigMap(name: string, namespace: string, ownerUid?: string): string {
  const ownerReferences = [
    { apiVersion: 'fastflow.io/v1alpha1', kind: 'DagInstance', name: 'seed-1', uid: ownerUid },
  ];
  return stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, ...(ownerUid !== undefined ? { ownerReferences } : {}) },
    data: { trace: 'hello' },
  });
}

/**
 * Applies the chart's RBAC objects and worker guard, creates Pods from the
 * worker Deployment's template and tokens for them, and returns once the
 * guard is in force.
 */
export async function applyChartRbac(r: HelmRelease): Promise<ChartCredentials> {
  const rendered = manifests(
    await render(
      r.helm,
      // Without the CRDs (and their admission policy): the test setup installed
      // them, and the release cleanup deletes what it applied with the chart's labels.
      r.opts({
        values: `rbac: { extraWorkerSubjects: [{ kind: User, name: ${WORKER_USER} }] }\ncrds: { install: false }`,
      }),
    ),
  );
  await ok(
    kubectl(['apply', '-f', '-'], {
      input: toYaml(rendered.filter((m) => RBAC_KINDS.has(m.kind))),
    }),
    'apply the chart RBAC',
  );

  // Pods made from the worker Deployment's template, named as a ReplicaSet
  // names them; the restricted namespace admits them for real.
  const deployment = rendered.find(
    (m) => m.kind === 'Deployment' && m.metadata.name === `${r.fullname}-worker-default`,
  ) as Loose;
  const pods = {
    short: `${deployment.metadata.name}-6c9f7d5b48-q2x7z`,
    long: `${deployment.metadata.name}-with-a-name-longer-than-fifty-seven-characters-q2x7z`,
  };
  const [shortPod, longPod] = await Promise.all(
    [pods.short, pods.long].map(async (name) => {
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: r.ns, labels: deployment.spec.template.metadata.labels },
        spec: deployment.spec.template.spec,
      };
      const out = await ok(
        kubectl(['create', '-f', '-', '-o', 'jsonpath={.metadata.uid}'], {
          input: stringify(pod),
        }),
        `create pod ${name}`,
      );
      return { name, uid: out.trim() };
    }),
  );
  const workerSa = `${r.fullname}-worker`;
  const [operatorToken, workerToken, workerLongToken, unboundToken] = await Promise.all([
    serviceAccountToken(r.ns, `${r.fullname}-operator`),
    serviceAccountToken(r.ns, workerSa, shortPod),
    serviceAccountToken(r.ns, workerSa, longPod),
    serviceAccountToken(r.ns, workerSa),
  ]);
  const kc = {
    operator: kubeconfigWithToken(r.scratch, 'operator', operatorToken),
    worker: kubeconfigWithToken(r.scratch, 'worker', workerToken),
    workerLong: kubeconfigWithToken(r.scratch, 'worker-long', workerLongToken),
    unbound: kubeconfigWithToken(r.scratch, 'unbound', unboundToken),
  };
  await guardInForce(r, kc.worker);
  return { pods, kc };
}

/** A new admission policy takes effect within moments: waits until it refuses a worker. */
async function guardInForce(r: HelmRelease, workerKubeconfig: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (const input of [lease('not-mine-0a1b2', r.ns), traceConfigMap('not-owned', r.otherNs)]) {
    for (;;) {
      const res = await kubectl(['create', '--dry-run=server', '-f', '-'], {
        input,
        kubeconfig: workerKubeconfig,
      });
      if (/fastflow worker guard/.test(res.stderr)) break;
      if (Date.now() > deadline) throw new Error(`the worker guard never refused: ${res.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * Objects a worker meets, in the other namespace (the workers' ClusterRole
 * covers every namespace): a Dag, its snapshot, an instance whose task is
 * assigned to SEEDED_WORKER, and a ConfigMap that is not fastflow's; and
 * another worker's Lease in the release namespace. Returns the instance's uid.
 */
export async function seedWorkerObjects(r: HelmRelease): Promise<string> {
  const tasks = [{ id: 'a', actionName: 'print' }];
  await ok(
    kubectl(['-n', r.otherNs, 'apply', '-f', '-'], {
      input: toYaml([
        {
          apiVersion: 'fastflow.io/v1alpha1',
          kind: 'Dag',
          metadata: { name: 'seed' },
          spec: { tasks },
        },
        {
          apiVersion: 'fastflow.io/v1alpha1',
          kind: 'DagInstance',
          metadata: { name: 'seed-1' },
          spec: { dagRef: { name: 'seed' } },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'ControllerRevision',
          metadata: { name: 'seed-0123456789' },
          data: { dag: 'seed', generation: 1, spec: { tasks } },
          revision: 1,
        },
      ]),
    }),
    'seed objects',
  );
  const scheduledAt = new Date().toISOString();
  const status = {
    status: {
      phase: 'Running',
      dagRevision: 'seed-0123456789',
      tasks: { a: { phase: 'Scheduled', worker: SEEDED_WORKER, attempt: 1, scheduledAt } },
    },
  };
  const statusPatch = ['patch', 'daginstance', 'seed-1', '--subresource=status', '--type=merge'];
  await ok(kubectl(['-n', r.otherNs, ...statusPatch, '-p', JSON.stringify(status)]), 'seed status');
  // Another worker's Lease (no worker label: an operator ignores it).
  await ok(
    kubectl(['create', '-f', '-'], { input: lease(OTHER_WORKER_LEASE, r.ns) }),
    'seed lease',
  );
  await ok(kubectl(['-n', r.otherNs, 'create', 'configmap', 'app-config']), 'seed configmap');
  const uid = ['-n', r.otherNs, 'get', 'dagi', 'seed-1', '-o', 'jsonpath={.metadata.uid}'];
  return (await ok(kubectl(uid), 'uid')).trim();
}
