/**
 * The Helm chart (charts/fastflow) against the test cluster:
 * - `helm lint` clean with every ci/ values file; the CRDs it ships are crds/;
 * - every object each ci/ file renders passes a server-side dry run in a
 *   namespace that enforces the "restricted" Pod Security Standard;
 * - bad values are refused with a message naming the value;
 * - its RBAC and worker guard, applied for real: as the user fastflow-worker
 *   (bound like the workers' ServiceAccount) and with real ServiceAccount
 *   tokens bound to real Pods, a worker can do its job and nothing more, and
 *   an operator and a worker holding only these permissions run a Dag to the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { spawnFastflow, type FastflowProcess } from '../local-cluster/fastflow-process.ts';
import { crdsDir } from '../local-cluster/kubectl.ts';
import type { DagInstance } from '../../operator/api/objects.ts';
import { uniqueProcessName } from '../../operator/config/load.ts';
import { mergePatchOptions } from '../../operator/kube/patch.ts';
import { TRACE_LABELS } from '../../operator/store/traces.ts';
import { silentLogger } from '../../operator/log.ts';
import { ReportWriter } from '../../actions-runtime/report-writer.ts';
import {
  createTestNamespace,
  deleteTestNamespace,
  kubectl,
  testKubeConfig,
  testWorkerKubeconfigPath,
} from '../support/cluster.ts';
import { FAST_LEASES } from '../support/fastflow-env.ts';
import {
  chartDir,
  findHelm,
  manifests,
  render,
  run,
  template,
  type Manifest,
  type RenderOptions,
} from '../support/helm.ts';

const release = `ff-${randomBytes(3).toString('hex')}`;
const fullname = `${release}-fastflow`;
const ciDir = join(chartDir, 'ci');
const ciFiles = readdirSync(ciDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const scratch = mkdtempSync(join(tmpdir(), 'fastflow-helm-'));

let helm: string;
let kubeVersion: string;
/** Release namespace: the Leases live here; enforces the restricted Pod Security Standard. */
let ns: string;
/** Stands for the watched namespace of ci files that set one, and holds the seeded objects. */
let otherNs: string;

type Kubectl = Awaited<ReturnType<typeof kubectl>>;

async function ok(result: Promise<Kubectl>, what: string): Promise<string> {
  const r = await result;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stderr}`);
  return r.stdout;
}

async function serverVersion(): Promise<string> {
  const out = await ok(kubectl(['version', '-o', 'json']), 'kubectl version');
  const git = (JSON.parse(out) as { serverVersion: { gitVersion: string } }).serverVersion
    .gitVersion;
  const m = /^v?(\d+\.\d+\.\d+)/.exec(git);
  if (!m?.[1]) throw new Error(`cannot read the server version from ${git}`);
  return m[1];
}

function opts(o: Partial<RenderOptions> = {}): RenderOptions {
  return { release, namespace: ns, kubeVersion, ...o };
}

/** A rendered object read in assertions: expect() checks its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const toYaml = (objs: readonly object[]): string => objs.map((o) => stringify(o)).join('---\n');

beforeAll(async () => {
  [helm, kubeVersion, ns, otherNs] = await Promise.all([
    findHelm(),
    serverVersion(),
    createTestNamespace('helm'),
    createTestNamespace('helm-other'),
  ]);
  await ok(
    // enforce: Pods are refused; warn: Deployments that would make such Pods are flagged.
    kubectl([
      'label',
      'namespace',
      ns,
      'pod-security.kubernetes.io/enforce=restricted',
      'pod-security.kubernetes.io/warn=restricted',
    ]),
    'label namespace',
  );
});

afterAll(async () => {
  // Cluster-scoped objects are not removed with the namespaces.
  await kubectl([
    'delete',
    'clusterrole,clusterrolebinding,validatingadmissionpolicy,validatingadmissionpolicybinding',
    '-l',
    `app.kubernetes.io/instance=${release}`,
    '--ignore-not-found',
  ]);
  await Promise.all([ns, otherNs].filter(Boolean).map((n) => deleteTestNamespace(n)));
  rmSync(scratch, { recursive: true, force: true });
});

describe('the chart renders', () => {
  it('passes helm lint --strict with every ci values file', async () => {
    const results = await Promise.all(
      ciFiles.map(async (f) => {
        const r = await run(helm, [
          'lint',
          chartDir,
          '--strict',
          '--kube-version',
          kubeVersion,
          '--values',
          join(ciDir, f),
        ]);
        return { file: f, code: r.code, out: r.stdout + r.stderr };
      }),
    );
    expect(results.filter((r) => r.code !== 0)).toEqual([]);
  });

  it('ships crds/ byte for byte, and renders it unchanged but for labels and the keep policy', async () => {
    const files = readdirSync(crdsDir).filter((f) => f.endsWith('.yaml'));
    const copies = join(chartDir, 'files', 'crds');
    const fix = 'charts/fastflow/files/crds/ is out of date with crds/: run npm run gen:crds';
    expect(readdirSync(copies).sort(), fix).toEqual([...files].sort());
    const stale = files.filter(
      (f) => readFileSync(join(copies, f), 'utf8') !== readFileSync(join(crdsDir, f), 'utf8'),
    );
    expect(stale, fix).toEqual([]);

    // Every object of crds/ (the CRDs and the admission policy that goes with them).
    const expected = files.flatMap((f) => manifests(readFileSync(join(crdsDir, f), 'utf8')));
    const id = (m: Manifest): string => `${m.kind}/${m.metadata.name}`;
    const ids = new Set(expected.map(id));
    const fromCrds = async (set: string[]): Promise<Manifest[]> =>
      manifests(await render(helm, opts({ set }))).filter((m) => ids.has(id(m)));
    const strip = (m: Manifest): Manifest => ({ ...m, metadata: { name: m.metadata.name } });

    const kept = await fromCrds([]);
    expect(kept.map(strip)).toEqual(expect.arrayContaining(expected));
    expect(kept).toHaveLength(expected.length);
    for (const m of kept) {
      expect(m.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
      expect(m.metadata.labels).toMatchObject({ 'app.kubernetes.io/instance': release });
    }
    const notKept = await fromCrds(['crds.keep=false']);
    expect(notKept).toHaveLength(expected.length);
    expect(notKept.filter((m) => m.metadata.annotations !== undefined)).toEqual([]);
    expect(await fromCrds(['crds.install=false'])).toEqual([]);
  });

  it.each(ciFiles)(
    'ci/%s: the API server accepts every object (server-side dry run, restricted Pod Security)',
    async (file) => {
      const values = parse(readFileSync(join(ciDir, file), 'utf8')) as { watchNamespace?: string };
      const objs = manifests(
        await render(
          helm,
          opts({
            files: [join(ciDir, file)],
            set: values.watchNamespace ? [`watchNamespace=${otherNs}`] : [],
          }),
        ),
      );
      // No ServiceMonitor CRD on this cluster: that object alone is only rendered.
      const applicable = objs.filter((m) => m.kind !== 'ServiceMonitor');
      const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], {
        input: toYaml(applicable),
      });
      expect(r.stderr).not.toMatch(/PodSecurity|error/i);
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(applicable.length);
    },
  );

  it('renders what each ci file asks for', async () => {
    const kinds = async (file: string, set: string[] = []): Promise<Manifest[]> =>
      manifests(await render(helm, opts({ files: [join(ciDir, file)], set })));
    const find = (objs: Manifest[], kind: string, name: string): Loose => {
      const m = objs.find((o) => o.kind === kind && o.metadata.name === name);
      if (!m) throw new Error(`no ${kind} ${name} in ${objs.map((o) => o.kind).join(', ')}`);
      return m;
    };

    const defaults = await kinds('default-values.yaml');
    const operator = find(defaults, 'Deployment', `${fullname}-operator`);
    expect(operator.spec.replicas).toBe(2);
    const pod = operator.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.containers[0].livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(pod.containers[0].readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(find(defaults, 'PodDisruptionBudget', `${fullname}-operator`).spec.maxUnavailable).toBe(
      1,
    );
    expect(find(defaults, 'Deployment', `${fullname}-worker-default`).spec.replicas).toBe(2);

    const pools = await kinds('two-pools-hpa-values.yaml');
    const heavy = find(pools, 'Deployment', `${fullname}-worker-heavy`);
    expect(heavy.spec.replicas).toBeUndefined(); // the HPA owns it
    expect(heavy.spec.template.spec.containers[0]).toMatchObject({
      image: 'registry.example.com/fastflow-actions:1.2.3',
      args: ['worker', '--actions', '/app/actions/index.ts', '/app/actions/reports.ts'],
    });
    expect(heavy.spec.template.spec.terminationGracePeriodSeconds).toBe(130);
    expect(find(pools, 'HorizontalPodAutoscaler', `${fullname}-worker-heavy`).spec).toMatchObject({
      minReplicas: 1,
      maxReplicas: 20,
      scaleTargetRef: { name: `${fullname}-worker-heavy` },
    });
    expect(pools.filter((m) => m.kind === 'HorizontalPodAutoscaler')).toHaveLength(2);

    const all = await kinds('all-optional-values.yaml', [`watchNamespace=${otherNs}`]);
    expect(all.filter((m) => m.kind === 'ServiceMonitor')).toHaveLength(1);
    expect(all.filter((m) => m.kind === 'NetworkPolicy')).toHaveLength(2);
    // One watched namespace: Roles there, no ClusterRole but the aggregated user roles.
    expect(find(all, 'Role', `${fullname}-worker`).metadata.namespace).toBe(otherNs);
    const clusterRoles = all.filter((m) => m.kind === 'ClusterRole').map((m) => m.metadata.name);
    expect(clusterRoles.sort()).toEqual([`${fullname}-edit`, `${fullname}-view`]);
    expect(find(all, 'RoleBinding', `${fullname}-worker-leases`).subjects).toEqual([
      { kind: 'ServiceAccount', name: `${fullname}-worker`, namespace: ns },
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'ci-worker' },
      { kind: 'ServiceAccount', name: 'gpu-worker', namespace: 'gpu' },
    ]);

    const off = await kinds('crds-off-values.yaml');
    for (const kind of [
      'CustomResourceDefinition',
      'ValidatingAdmissionPolicy',
      'PodDisruptionBudget',
    ]) {
      expect(
        off.filter((m) => m.kind === kind),
        kind,
      ).toEqual([]);
    }
  });
});

describe('bad values are refused with a message naming them', () => {
  const pool = (fields: string): string => `workers:\n  pools:\n    - { name: a, ${fields} }\n`;
  it.each([
    ['a negative replica count', pool('replicas: -1'), /'\/workers\/pools\/0\/replicas'.*minimum/],
    ['a misspelt key', 'operator: { replica: 3 }', /'\/operator'.*'replica' not allowed/],
    [
      'a pool name that is not a DNS label',
      'workers: { pools: [{ name: Bad_Name }] }',
      /'\/workers\/pools\/0\/name'.*does not match pattern/,
    ],
    ['an unknown log level', 'logLevel: verbose', /'\/logLevel'.*must be one of/],
    ['a string for a boolean', 'crds: { install: "yes" }', /'\/crds\/install'.*want boolean/],
    [
      'a ServiceAccount subject without a namespace',
      'rbac: { extraWorkerSubjects: [{ kind: ServiceAccount, name: x }] }',
      /'\/rbac\/extraWorkerSubjects\/0'.*missing property 'namespace'/,
    ],
    [
      'two pools with one name',
      'workers: { pools: [{ name: a }, { name: a }] }',
      /workers\.pools\[1\]\.name: "a" is used twice/,
    ],
    [
      'an HPA whose min exceeds its max',
      pool('hpa: { enabled: true, min: 5, max: 3 }'),
      /workers\.pools\[0\] \(a\): hpa\.min \(5\) must not exceed hpa\.max \(3\)/,
    ],
    [
      'an HPA without a CPU request',
      pool('resources: { requests: { memory: 1Gi } }, hpa: { enabled: true }'),
      /workers\.pools\[0\] \(a\): hpa\.enabled needs resources\.requests\.cpu/,
    ],
    [
      'a renew deadline not shorter than the lease',
      'operator: { leaderElection: { renewDeadlineSecs: 20 } }',
      /operator\.leaderElection\.renewDeadlineSecs \(20\) must be less than leaseDurationSecs \(15\)/,
    ],
  ])('%s', async (_what, values, message) => {
    const r = await template(helm, opts({ values }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});

// ---------------------------------------------------------------------------
// RBAC for real

/** A kubectl result as the HTTP code of the API server's refusal (403 for Forbidden). */
function httpCode(r: Kubectl): { code: number; stderr: string } {
  return {
    code: /Error from server \(Forbidden\)/.test(r.stderr) ? 403 : r.code,
    stderr: r.stderr,
  };
}

/** How the API server answered a request that must be refused: HTTP code and message. */
async function refusal(request: Promise<unknown>): Promise<{ code: number; stderr: string }> {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiException)) return { code: 0, stderr: `not refused: ${String(error)}` };
  const body = (typeof error.body === 'string' ? JSON.parse(error.body) : error.body) as {
    message?: string;
  };
  return { code: error.code, stderr: body.message ?? '' };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A kubeconfig for the test cluster with these credentials. */
function kubeconfigWithToken(name: string, token: string): string {
  const cluster = testKubeConfig().getCurrentCluster();
  if (!cluster) throw new Error('the test kubeconfig has no current cluster');
  const path = join(scratch, `kubeconfig-${name}`);
  const clusterEntry: Record<string, unknown> = { server: cluster.server };
  if (cluster.skipTLSVerify) clusterEntry['insecure-skip-tls-verify'] = true;
  if (cluster.caData) clusterEntry['certificate-authority-data'] = cluster.caData;
  if (cluster.caFile) clusterEntry['certificate-authority'] = cluster.caFile;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: clusterEntry }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: 'test', user: name } }],
    'current-context': name,
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}

async function token(sa: string, pod?: { name: string; uid: string }): Promise<string> {
  const args = ['-n', ns, 'create', 'token', sa, '--duration=10m'];
  if (pod) {
    args.push('--bound-object-kind=Pod', `--bound-object-name=${pod.name}`);
    args.push(`--bound-object-uid=${pod.uid}`);
  }
  return (await ok(kubectl(args), `create token ${sa}`)).trim();
}

function lease(name: string, namespace = ns): string {
  return stringify({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace },
    spec: { holderIdentity: name, leaseDurationSeconds: 10 },
  });
}

/** `kubectl auth can-i` as `kubeconfig`: one row per check, with its answer. */
async function canI(kubeconfig: string, checks: readonly string[]): Promise<string[]> {
  return Promise.all(
    checks.map(async (check) => {
      const [verb = '', resource = '', ...rest] = check.split(' ');
      const r = await kubectl(['auth', 'can-i', verb, resource, ...rest], { kubeconfig });
      return `${check}: ${r.stdout.trim() || r.stderr.trim()}`;
    }),
  );
}

/** kubectl with these credentials; `input` on stdin. */
const kubectlAs =
  (kubeconfig: string) =>
  (args: string[], input?: string): Promise<Kubectl> =>
    kubectl(args, { kubeconfig, ...(input !== undefined ? { input } : {}) });

const answers = (checks: readonly string[], answer: 'yes' | 'no'): string[] =>
  checks.map((c) => `${c}: ${answer}`);

/** The series of a process's /metrics page: metric name → the label names it has. */
async function exposedSeries(port: number): Promise<Map<string, Set<string>>> {
  const deadline = Date.now() + 15_000;
  let text: string | undefined;
  while (text === undefined) {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
    if (res?.ok) text = await res.text();
    else if (Date.now() > deadline) throw new Error(`no /metrics on port ${port}`);
    else await new Promise((r) => setTimeout(r, 200));
  }
  const series = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!m?.[1]) continue;
    const labels = series.get(m[1]) ?? new Set<string>();
    for (const l of (m[2] ?? '').matchAll(/(\w+)="/g)) labels.add(l[1] as string);
    series.set(m[1], labels);
  }
  return series;
}

/** What the dashboard may call: PromQL functions and aggregations, and Grafana's label_values. */
const PROMQL_FUNCTIONS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'rate',
  'increase',
  'histogram_quantile',
  'label_values',
]);
const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset']);

/** The metrics, labels and functions a PromQL expression (or a Grafana `label_values()`) names. */
function promqlNames(query: string): { metrics: string[]; labels: string[]; functions: string[] } {
  const labels: string[] = [];
  const functions: string[] = [];
  let expr = query;
  // label_values([selector,] label): the last argument is a label.
  const lv = /^\s*label_values\((?:(.*),)?\s*([a-zA-Z_]\w*)\s*\)\s*$/.exec(expr);
  if (lv) {
    functions.push('label_values');
    labels.push(lv[2] as string);
    expr = lv[1] ?? '';
  }
  const rest = expr
    .replace(/\{([^}]*)\}/g, (_, matchers: string) => {
      for (const m of matchers.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"/g)) {
        labels.push(m[1] as string);
      }
      return ' ';
    })
    .replace(/\[[^\]]*\]/g, ' ') // ranges: [5m], [$__rate_interval]
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, names) => {
      labels.push(...(names as string).split(',').map((n) => n.trim()));
      return ' ';
    });
  const metrics: string[] = [];
  for (const m of rest.matchAll(/(?<![\w.$])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const name = m[1] as string;
    if (m[2] !== undefined) functions.push(name);
    else if (!PROMQL_KEYWORDS.has(name)) metrics.push(name);
  }
  return { metrics, labels: labels.filter((l) => l !== ''), functions };
}

interface GrafanaTarget {
  datasource?: unknown;
  expr?: string;
}
interface GrafanaPanel {
  type: string;
  title: string;
  datasource?: unknown;
  targets?: GrafanaTarget[];
  panels?: GrafanaPanel[];
}
interface GrafanaDashboard {
  uid: string;
  panels: GrafanaPanel[];
  templating: {
    list: {
      name: string;
      type: string;
      datasource?: unknown;
      query?: string | { query: string };
    }[];
  };
}

describe('the chart RBAC and worker guard, applied for real', () => {
  const workerSa = `${fullname}-worker`;
  const operatorSa = `${fullname}-operator`;
  const workerUser = 'fastflow-worker';
  /** Pods of the default pool's template (never run: no kubelet), for pod-bound tokens. */
  let pods: { short: string; long: string };
  let kc: { operator: string; worker: string; workerLong: string; unbound: string };
  let seedUid: string;
  /** A ConfigMap; owned by the seeded DagInstance when `owned`. */
  const configMap = (name: string, namespace: string, owned = false): string =>
    stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace,
        ...(owned
          ? {
              ownerReferences: [
                {
                  apiVersion: 'fastflow.io/v1alpha1',
                  kind: 'DagInstance',
                  name: 'seed-1',
                  uid: seedUid,
                },
              ],
            }
          : {}),
      },
      data: { trace: 'hello' },
    });
  const processes: FastflowProcess[] = [];
  /** Metrics ports of the operator and the worker that the end-to-end test below starts. */
  let metricsPorts: { operator: number; worker: number } | undefined;

  beforeAll(async () => {
    const rendered = manifests(
      await render(
        helm,
        // Without the CRDs (and their admission policy): the test setup installed
        // them, and this test's cleanup deletes what it applied with the chart's labels.
        opts({
          values: `rbac: { extraWorkerSubjects: [{ kind: User, name: ${workerUser} }] }\ncrds: { install: false }`,
        }),
      ),
    );
    const rbacKinds = new Set([
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
    ]);
    await ok(
      kubectl(['apply', '-f', '-'], {
        input: toYaml(rendered.filter((m) => rbacKinds.has(m.kind))),
      }),
      'apply the chart RBAC',
    );

    // Pods made from the worker Deployment's template, named as a ReplicaSet
    // names them; the restricted namespace admits them for real.
    const deployment = rendered.find(
      (m) => m.kind === 'Deployment' && m.metadata.name === `${fullname}-worker-default`,
    ) as Loose;
    pods = {
      short: `${deployment.metadata.name}-6c9f7d5b48-q2x7z`,
      long: `${deployment.metadata.name}-with-a-name-longer-than-fifty-seven-characters-q2x7z`,
    };
    const uids = await Promise.all(
      [pods.short, pods.long].map(async (name) => {
        const pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: ns, labels: deployment.spec.template.metadata.labels },
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
    const [shortPod, longPod] = uids as [
      { name: string; uid: string },
      { name: string; uid: string },
    ];
    const [operatorToken, workerToken, workerLongToken, unboundToken] = await Promise.all([
      token(operatorSa),
      token(workerSa, shortPod),
      token(workerSa, longPod),
      token(workerSa),
    ]);
    kc = {
      operator: kubeconfigWithToken('operator', operatorToken),
      worker: kubeconfigWithToken('worker', workerToken),
      workerLong: kubeconfigWithToken('worker-long', workerLongToken),
      unbound: kubeconfigWithToken('unbound', unboundToken),
    };

    // Objects a worker meets, in the other namespace (the workers' ClusterRole
    // covers every namespace): an assigned instance, a Dag, its snapshot.
    const at = new Date().toISOString();
    await ok(
      kubectl(['-n', otherNs, 'apply', '-f', '-'], {
        input: toYaml([
          {
            apiVersion: 'fastflow.io/v1alpha1',
            kind: 'Dag',
            metadata: { name: 'seed' },
            spec: { tasks: [{ id: 'a', actionName: 'print' }] },
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
            data: {
              dag: 'seed',
              generation: 1,
              spec: { tasks: [{ id: 'a', actionName: 'print' }] },
            },
            revision: 1,
          },
        ]),
      }),
      'seed objects',
    );
    const status = {
      status: {
        phase: 'Running',
        dagRevision: 'seed-0123456789',
        tasks: {
          a: { phase: 'Scheduled', worker: `${workerUser}-0a1b2`, attempt: 1, scheduledAt: at },
        },
      },
    };
    await ok(
      kubectl([
        '-n',
        otherNs,
        'patch',
        'daginstance',
        'seed-1',
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify(status),
      ]),
      'seed status',
    );
    // Another worker's Lease (no worker label: the operator started below ignores it).
    await ok(kubectl(['create', '-f', '-'], { input: lease('other-worker-0a1b2') }), 'seed lease');

    // A ConfigMap that is not fastflow's.
    await ok(kubectl(['-n', otherNs, 'create', 'configmap', 'app-config']), 'seed configmap');
    seedUid = (
      await ok(
        kubectl(['-n', otherNs, 'get', 'dagi', 'seed-1', '-o', 'jsonpath={.metadata.uid}']),
        'uid',
      )
    ).trim();

    // A new policy takes effect within moments: wait until both refuse.
    const deadline = Date.now() + 15_000;
    for (const input of [lease('not-mine-0a1b2'), configMap('not-owned', otherNs)]) {
      for (;;) {
        const r = await kubectl(['create', '--dry-run=server', '-f', '-'], {
          input,
          kubeconfig: kc.worker,
        });
        if (/fastflow worker guard/.test(r.stderr)) break;
        if (Date.now() > deadline) throw new Error(`the worker guard never refused: ${r.stderr}`);
        await new Promise((res) => setTimeout(res, 200));
      }
    }
  });

  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
  });

  const workerMay = [
    'list daginstances.fastflow.io',
    'watch daginstances.fastflow.io',
    'get daginstances.fastflow.io',
    'patch daginstances.fastflow.io --subresource=status',
    'get controllerrevisions.apps',
    'get configmaps',
    'create configmaps',
    'update configmaps',
    'patch configmaps',
  ];
  const workerMayNot = [
    'get dags.fastflow.io',
    'create dags.fastflow.io',
    'update dags.fastflow.io',
    'patch dags.fastflow.io',
    'delete dags.fastflow.io',
    'patch dags.fastflow.io --subresource=status',
    'create daginstances.fastflow.io',
    'update daginstances.fastflow.io',
    'patch daginstances.fastflow.io',
    'delete daginstances.fastflow.io',
    'update daginstances.fastflow.io --subresource=status',
    'create controllerrevisions.apps',
    'list leases.coordination.k8s.io',
    'watch leases.coordination.k8s.io',
    'list configmaps',
    'delete configmaps',
    'get secrets',
    'create pods',
  ];
  const leaseVerbs = ['create', 'get', 'update', 'patch', 'delete'].map(
    (v) => `${v} leases.coordination.k8s.io`,
  );

  it('as the user fastflow-worker: can-i says yes to its job and no to the rest', async (ctx) => {
    const user = testWorkerKubeconfigPath();
    if (user === undefined) return ctx.skip(); // external cluster without the worker user
    const where = (checks: string[], n: string): string[] => checks.map((c) => `${c} -n ${n}`);
    const yes = [...where(workerMay, otherNs), ...where(leaseVerbs, ns)];
    const no = [...where(workerMayNot, otherNs), ...where(leaseVerbs, otherNs)];
    expect(await canI(user, yes)).toEqual(answers(yes, 'yes'));
    expect(await canI(user, no)).toEqual(answers(no, 'no'));
  });

  it('as the user fastflow-worker: real requests of its job pass, a Dag edit gets 403', async (ctx) => {
    const user = testWorkerKubeconfigPath();
    if (user === undefined) return ctx.skip();
    const as = kubectlAs(user);
    const me = `${workerUser}-0a1b2`;

    await ok(as(['-n', otherNs, 'get', 'daginstances']), 'list instances');
    const watch = `/apis/fastflow.io/v1alpha1/namespaces/${otherNs}/daginstances?watch=1&timeoutSeconds=1&labelSelector=w.fastflow.io/${me}`;
    await ok(as(['get', '--raw', watch]), 'watch instances');
    await ok(as(['-n', otherNs, 'get', 'controllerrevision', 'seed-0123456789']), 'get snapshot');
    // The worker's own status writer: a JSON Patch fenced by `test` operations.
    const writer = new ReportWriter(
      testKubeConfig(user).makeApiClient(CustomObjectsApi),
      silentLogger(),
    );
    const written = await writer.report(
      { namespace: otherNs, name: 'seed-1' },
      {
        task: 'a',
        worker: me,
        attempt: 1,
        set: { phase: 'Running', startedAt: new Date().toISOString() },
      },
    );
    writer.stop();
    expect(written).toBe(true);
    const running = await ok(
      kubectl(['-n', otherNs, 'get', 'dagi', 'seed-1', '-o', 'json']),
      'get',
    );
    expect((JSON.parse(running) as DagInstance).status?.tasks?.['a']?.phase).toBe('Running');

    // Its own Lease, the way the heartbeat writes it: create, merge patch, update, delete.
    await ok(as(['create', '-f', '-'], lease(me)), 'create own lease');
    await ok(
      as([
        '-n',
        ns,
        'patch',
        'lease',
        me,
        '--type=merge',
        '-p',
        '{"spec":{"leaseDurationSeconds":9}}',
      ]),
      'patch own lease',
    );
    await ok(as(['replace', '-f', '-'], lease(me)), 'update own lease');
    await ok(as(['-n', ns, 'delete', 'lease', me]), 'delete own lease');

    // kubectl patch and label read the object first: the API is called
    // directly so that the write itself is what gets refused.
    const api = testKubeConfig(user).makeApiClient(CustomObjectsApi);
    const dag = { group: 'fastflow.io', version: 'v1alpha1', namespace: otherNs, plural: 'dags' };
    const instance = { ...dag, plural: 'daginstances' };
    const refusals = await Promise.all([
      as(['-n', otherNs, 'get', 'dag', 'seed']).then(httpCode),
      as(['-n', otherNs, 'delete', 'dag', 'seed']).then(httpCode),
      as(
        ['-n', otherNs, 'create', '-f', '-'],
        stringify({
          apiVersion: 'fastflow.io/v1alpha1',
          kind: 'Dag',
          metadata: { name: 'evil' },
          spec: { tasks: [{ id: 'a', actionName: 'print' }] },
        }),
      ).then(httpCode),
      refusal(
        api.patchNamespacedCustomObject(
          { ...dag, name: 'seed', body: { spec: { tasks: [] } } },
          mergePatchOptions,
        ),
      ),
      refusal(
        api.patchNamespacedCustomObjectStatus(
          { ...dag, name: 'seed', body: { status: { valid: true } } },
          mergePatchOptions,
        ),
      ),
      refusal(
        api.patchNamespacedCustomObject(
          { ...instance, name: 'seed-1', body: { metadata: { labels: { x: 'y' } } } },
          mergePatchOptions,
        ),
      ),
    ]);
    expect(refusals.map((r) => r.code)).toEqual([403, 403, 403, 403, 403, 403]);
    const said = refusals.map((r) =>
      /cannot (\w+) resource "([\w/]+)"/.exec(r.stderr)?.slice(1).join(' '),
    );
    expect(said).toEqual([
      'get dags',
      'delete dags',
      'create dags',
      'patch dags',
      'patch dags/status',
      'patch daginstances',
    ]);
  });

  it('as the user fastflow-worker: fastflow ConfigMaps and mutex Leases yes, others 403', async (ctx) => {
    const user = testWorkerKubeconfigPath();
    if (user === undefined) return ctx.skip();
    const as = kubectlAs(user);
    // A trace (create, replace) and share data (merge patch), owned by the instance.
    await ok(as(['create', '-f', '-'], configMap('seed-1-trace', otherNs, true)), 'create trace');
    await ok(as(['replace', '-f', '-'], configMap('seed-1-trace', otherNs, true)), 'update trace');
    const share = ['-n', otherNs, 'patch', 'configmap', 'seed-1-trace', '--type=merge'];
    await ok(as([...share, '-p', '{"data":{"k":"v"}}']), 'patch share data');
    // A mutex Lease of the SDK, shared by every worker.
    await ok(as(['create', '-f', '-'], lease('fastflow-mutex-0123456789abcdef')), 'create mutex');
    await ok(as(['-n', ns, 'delete', 'lease', 'fastflow-mutex-0123456789abcdef']), 'unlock');

    const adopt = {
      metadata: {
        ownerReferences: [
          { apiVersion: 'fastflow.io/v1alpha1', kind: 'DagInstance', name: 'seed-1', uid: seedUid },
        ],
      },
    };
    const refused = await Promise.all([
      as(['create', '-f', '-'], configMap('mine-now', otherNs)),
      as([
        '-n',
        otherNs,
        'patch',
        'configmap',
        'app-config',
        '--type=merge',
        '-p',
        '{"data":{"x":"y"}}',
      ]),
      as([
        '-n',
        otherNs,
        'patch',
        'configmap',
        'app-config',
        '--type=merge',
        '-p',
        JSON.stringify(adopt),
      ]),
    ]);
    for (const r of refused) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        /\(Forbidden\).*fastflow worker guard: fastflow-worker may only write ConfigMaps owned by a DagInstance/,
      );
    }
  });

  it("as the user fastflow-worker: another worker's Lease is refused by the worker guard (403)", async (ctx) => {
    const user = testWorkerKubeconfigPath();
    if (user === undefined) return ctx.skip();
    const as = kubectlAs(user);
    const refused = await Promise.all([
      as(['create', '-f', '-'], lease('other-worker-9f8e7')),
      as(['create', '-f', '-'], lease(workerUser)), // not <name>-<5 hex>
      as([
        '-n',
        ns,
        'patch',
        'lease',
        'other-worker-0a1b2',
        '--type=merge',
        '-p',
        '{"spec":{"holderIdentity":"me"}}',
      ]),
      as(['-n', ns, 'delete', 'lease', 'other-worker-0a1b2']),
      as(['create', '-f', '-'], lease('fastflow-operator')),
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
        kubectl(['create', '-f', '-'], { kubeconfig, input: lease(name) }),
        `create ${name}`,
      );
      await ok(kubectl(['-n', ns, 'delete', 'lease', name], { kubeconfig }), `delete ${name}`);
    }
    const refused = await Promise.all([
      // The other pod's Lease.
      kubectl(['create', '-f', '-'], {
        kubeconfig: kc.worker,
        input: lease(uniqueProcessName(pods.long)),
      }),
      kubectl(['create', '-f', '-'], {
        kubeconfig: kc.workerLong,
        input: lease(uniqueProcessName(pods.short)),
      }),
      kubectl(['-n', ns, 'delete', 'lease', 'other-worker-0a1b2'], { kubeconfig: kc.worker }),
      // A token of the workers' ServiceAccount bound to no Pod owns no Lease.
      kubectl(['create', '-f', '-'], {
        kubeconfig: kc.unbound,
        input: lease(uniqueProcessName(pods.short)),
      }),
    ]);
    for (const r of refused) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/\(Forbidden\).*fastflow worker guard/);
    }
    expect(refused[3]?.stderr).toMatch(/its credentials name no pod/);
  });

  it("the operator's ServiceAccount: what it needs and nothing more", async () => {
    const inNs = (checks: string[], n: string): string[] => checks.map((c) => `${c} -n ${n}`);
    const yes = [
      ...inNs(
        [
          'list dags.fastflow.io',
          'watch dags.fastflow.io',
          'list daginstances.fastflow.io',
          'watch daginstances.fastflow.io',
          'get daginstances.fastflow.io',
          'patch dags.fastflow.io --subresource=status',
          'patch daginstances.fastflow.io --subresource=status',
          'update daginstances.fastflow.io --subresource=status',
          'patch daginstances.fastflow.io',
          'create controllerrevisions.apps',
          'get controllerrevisions.apps',
          'create events',
          'patch events.events.k8s.io',
          'get configmaps',
        ],
        otherNs,
      ),
      ...inNs(
        [
          'list leases.coordination.k8s.io',
          'watch leases.coordination.k8s.io',
          'create leases.coordination.k8s.io',
          'update leases.coordination.k8s.io/fastflow-operator',
          'patch leases.coordination.k8s.io/fastflow-operator',
          'delete leases.coordination.k8s.io',
        ],
        ns,
      ),
    ];
    const no = [
      ...inNs(
        [
          'create dags.fastflow.io',
          'update dags.fastflow.io',
          'delete dags.fastflow.io',
          'create daginstances.fastflow.io',
          'delete daginstances.fastflow.io',
          'delete controllerrevisions.apps',
          'list configmaps',
          'create configmaps',
          'get secrets',
          'create leases.coordination.k8s.io',
        ],
        otherNs,
      ),
      ...inNs(['update leases.coordination.k8s.io/other-worker-0a1b2'], ns),
    ];
    expect(await canI(kc.operator, yes)).toEqual(answers(yes, 'yes'));
    expect(await canI(kc.operator, no)).toEqual(answers(no, 'no'));
  });

  it('an operator and a worker holding only these permissions run a Dag to the end', async () => {
    const logs = mkdtempSync(join(scratch, 'logs-'));
    const spawn = (
      args: string[],
      kubeconfig: string,
      env: Record<string, string>,
    ): FastflowProcess => {
      const p = spawnFastflow(args, {
        kubeconfig,
        namespace: ns,
        logFile: join(logs, `${args[0]}.log`),
        env,
      });
      processes.push(p);
      return p;
    };
    const ports = { operator: await freePort(), worker: await freePort() };
    metricsPorts = ports;
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
      kubectl(['-n', ns, 'apply', '-f', '-'], {
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
      const out = await kubectl(['-n', ns, 'get', 'dagi', 'chain-1', '-o', 'json']);
      instance = out.code === 0 ? (JSON.parse(out.stdout) as DagInstance) : undefined;
      if (['Succeeded', 'Failed', 'Canceled'].includes(instance?.status?.phase ?? '')) break;
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
        ns,
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
        ns,
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

  it('the Grafana dashboard queries only metrics and labels this operator and worker expose', async (ctx) => {
    // The processes of the test above: not started when a filter left it out.
    if (metricsPorts === undefined) return ctx.skip();
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
        helm,
        opts({
          set: ['metrics.serviceMonitor.enabled=true'],
          only: ['templates/servicemonitor.yaml'],
        }),
      ),
    ) as Loose[];
    const scrapeLabels = new Set([
      ...['job', 'instance', 'namespace', 'service', 'pod', 'container', 'endpoint'],
      ...(monitor.spec.podTargetLabels as string[]).map((l) => l.replace(/\W/g, '_')),
    ]);

    const off = manifests(await render(helm, opts()));
    expect(off.filter((m) => m.metadata.labels?.['grafana_dashboard'] !== undefined)).toEqual([]);
    const on = manifests(
      await render(
        helm,
        opts({
          set: ['metrics.grafanaDashboard.enabled=true'],
          only: ['templates/grafana-dashboard.yaml'],
        }),
      ),
    ) as Loose[];
    expect(on).toHaveLength(1);
    expect(on[0]).toMatchObject({
      kind: 'ConfigMap',
      metadata: {
        name: `${fullname}-dashboard`,
        namespace: ns,
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
});
