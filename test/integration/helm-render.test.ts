/**
 * The Helm chart (charts/fastflow) renders what each values file asks for:
 * - `helm lint` clean with every ci/ values file; the CRDs it ships are crds/;
 * - every object each ci/ file renders passes a server-side dry run in a
 *   namespace that enforces the "restricted" Pod Security Standard.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { crdsDir } from '../local-cluster/kubectl.ts';
import { kubectl } from '../support/cluster.ts';
import { chartDir, manifests, render, run, type Manifest } from '../support/helm.ts';
import { useHelmRelease, type Loose } from '../support/helm-release.ts';
import { toYaml } from '../support/kube-requests.ts';

const chart = useHelmRelease();
const ciDir = join(chartDir, 'ci');
const ciFiles = readdirSync(ciDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('the chart renders', () => {
  it('passes helm lint --strict with every ci values file', async () => {
    const results = await Promise.all(
      ciFiles.map(async (f) => {
        const r = await run(chart.helm, [
          'lint',
          chartDir,
          '--strict',
          '--kube-version',
          chart.kubeVersion,
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
      manifests(await render(chart.helm, chart.opts({ set }))).filter((m) => ids.has(id(m)));
    const strip = (m: Manifest): Manifest => ({ ...m, metadata: { name: m.metadata.name } });

    const kept = await fromCrds([]);
    expect(kept.map(strip)).toEqual(expect.arrayContaining(expected));
    expect(kept).toHaveLength(expected.length);
    for (const m of kept) {
      expect(m.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
      expect(m.metadata.labels).toMatchObject({ 'app.kubernetes.io/instance': chart.release });
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
          chart.helm,
          chart.opts({
            files: [join(ciDir, file)],
            set: values.watchNamespace ? [`watchNamespace=${chart.otherNs}`] : [],
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
      manifests(await render(chart.helm, chart.opts({ files: [join(ciDir, file)], set })));
    const find = (objs: Manifest[], kind: string, name: string): Loose => {
      const m = objs.find((o) => o.kind === kind && o.metadata.name === name);
      if (!m) throw new Error(`no ${kind} ${name} in ${objs.map((o) => o.kind).join(', ')}`);
      return m;
    };

    const defaults = await kinds('default-values.yaml');
    const operator = find(defaults, 'Deployment', `${chart.fullname}-operator`);
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
    // The whole V8 heap bounded below the memory limit (docs/architecture.md, "Operator memory").
    expect(pod.containers[0].env).toContainEqual({
      name: 'NODE_OPTIONS',
      value: '--max-heap-size=320',
    });
    expect(pod.containers[0].resources.limits).toEqual({ memory: '512Mi' });
    expect(
      find(defaults, 'PodDisruptionBudget', `${chart.fullname}-operator`).spec.maxUnavailable,
    ).toBe(1);
    expect(find(defaults, 'Deployment', `${chart.fullname}-worker-default`).spec.replicas).toBe(2);

    const pools = await kinds('two-pools-hpa-values.yaml');
    const heavy = find(pools, 'Deployment', `${chart.fullname}-worker-heavy`);
    expect(heavy.spec.replicas).toBeUndefined(); // the HPA owns it
    expect(heavy.spec.template.spec.containers[0]).toMatchObject({
      image: 'registry.example.com/fastflow-actions:1.2.3',
      args: ['worker', '--actions', '/app/actions/index.ts', '/app/actions/reports.ts'],
    });
    expect(heavy.spec.template.spec.terminationGracePeriodSeconds).toBe(130);
    expect(
      find(pools, 'HorizontalPodAutoscaler', `${chart.fullname}-worker-heavy`).spec,
    ).toMatchObject({
      minReplicas: 1,
      maxReplicas: 20,
      scaleTargetRef: { name: `${chart.fullname}-worker-heavy` },
    });
    expect(pools.filter((m) => m.kind === 'HorizontalPodAutoscaler')).toHaveLength(2);

    const all = await kinds('all-optional-values.yaml', [`watchNamespace=${chart.otherNs}`]);
    expect(all.filter((m) => m.kind === 'ServiceMonitor')).toHaveLength(1);
    expect(all.filter((m) => m.kind === 'NetworkPolicy')).toHaveLength(3); // operator, worker, ui
    // One watched namespace: Roles there, no ClusterRole but the aggregated user roles.
    expect(find(all, 'Role', `${chart.fullname}-worker`).metadata.namespace).toBe(chart.otherNs);
    const clusterRoles = all.filter((m) => m.kind === 'ClusterRole').map((m) => m.metadata.name);
    expect(clusterRoles.sort()).toEqual([`${chart.fullname}-edit`, `${chart.fullname}-view`]);
    expect(find(all, 'RoleBinding', `${chart.fullname}-worker-leases`).subjects).toEqual([
      { kind: 'ServiceAccount', name: `${chart.fullname}-worker`, namespace: chart.ns },
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
