/**
 * The chart's RBAC and worker guard, applied for real, as the user
 * fastflow-worker (bound like the workers' ServiceAccount): can-i answers yes
 * to a worker's job and no to the rest, and real requests agree.
 */
import { CustomObjectsApi } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TaskResult } from '../../operator/api/objects.ts';
import { taskResultName } from '../../operator/store/task-results.ts';
import { mergePatchOptions } from '../../operator/kube/patch.ts';
import { silentLogger } from '../../operator/log.ts';
import { ReportWriter } from '../../actions-runtime/worker/report-writer.ts';
import { applyChartRbac, SEEDED_WORKER, seedWorkerObjects } from '../support/chart-rbac.ts';
import { kubectl, testKubeConfig, testWorkerKubeconfigPath } from '../support/cluster.ts';
import { manifests, render } from '../support/helm.ts';
import { useHelmRelease, type Loose } from '../support/helm-release.ts';
import {
  answers,
  canI,
  httpCode,
  kubectlAs,
  lease,
  ok,
  refusal,
} from '../support/kube-requests.ts';

const chart = useHelmRelease();

let seedUid = '';
beforeAll(async () => {
  await applyChartRbac(chart);
  seedUid = await seedWorkerObjects(chart);
});

/** A Job in the other namespace, owned by the seeded instance or by nothing. */
function job(name: string, owned: boolean): string {
  const owner = { apiVersion: 'fastflow.io/v1alpha1', kind: 'DagInstance', name: 'seed-1' };
  return stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: chart.otherNs,
      ...(owned ? { ownerReferences: [{ ...owner, uid: seedUid }] } : {}),
    },
    spec: {
      template: {
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
      },
    },
  });
}

describe('as the user fastflow-worker', () => {
  const workerMay = [
    'list daginstances.fastflow.io',
    'watch daginstances.fastflow.io',
    'get daginstances.fastflow.io',
    'create taskresults.fastflow.io',
    'get taskresults.fastflow.io',
    'patch taskresults.fastflow.io',
    'get taskshards.fastflow.io',
    'get controllerrevisions.apps',
    'get configmaps',
    'create configmaps',
    'update configmaps',
    'patch configmaps',
    // The built-in actions: http's credentials, container's Job, Pod and log.
    'get secrets',
    'create jobs.batch',
    'get jobs.batch',
    'list jobs.batch',
    'watch jobs.batch',
    'delete jobs.batch',
    'get pods',
    'list pods',
    'watch pods',
    'get pods --subresource=log',
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
    'patch daginstances.fastflow.io --subresource=status',
    'update daginstances.fastflow.io --subresource=status',
    'list taskresults.fastflow.io',
    'delete taskresults.fastflow.io',
    'create taskshards.fastflow.io',
    'patch taskshards.fastflow.io',
    'create controllerrevisions.apps',
    'list leases.coordination.k8s.io',
    'watch leases.coordination.k8s.io',
    'list configmaps',
    'delete configmaps',
    'list secrets',
    'watch secrets',
    'create secrets',
    'update jobs.batch',
    'patch jobs.batch',
    'create pods',
    'delete pods',
    'create pods --subresource=exec',
  ];
  const leaseVerbs = ['create', 'get', 'update', 'patch', 'delete'].map(
    (v) => `${v} leases.coordination.k8s.io`,
  );

  it('as the user fastflow-worker: can-i says yes to its job and no to the rest', async (ctx) => {
    const user = testWorkerKubeconfigPath();
    if (user === undefined) return ctx.skip(); // external cluster without the worker user
    const where = (checks: string[], n: string): string[] => checks.map((c) => `${c} -n ${n}`);
    // Beside its Lease: its actions' schemas (the guard narrows the name).
    const schemas = 'create configmaps';
    const yes = [...where(workerMay, chart.otherNs), ...where([...leaseVerbs, schemas], chart.ns)];
    const no = [...where(workerMayNot, chart.otherNs), ...where(leaseVerbs, chart.otherNs)];
    expect(await canI(user, yes)).toEqual(answers(yes, 'yes'));
    expect(await canI(user, no)).toEqual(answers(no, 'no'));
  });

  it('as the user fastflow-worker: real requests of its job pass, a Dag edit gets 403', async (ctx) => {
    const user = testWorkerKubeconfigPath();
    if (user === undefined) return ctx.skip();
    const as = kubectlAs(user);
    const me = SEEDED_WORKER;

    await ok(as(['-n', chart.otherNs, 'get', 'daginstances']), 'list instances');
    const watch = `/apis/fastflow.io/v1alpha1/namespaces/${chart.otherNs}/daginstances?watch=1&timeoutSeconds=1&labelSelector=w.fastflow.io/${me}`;
    await ok(as(['get', '--raw', watch]), 'watch instances');
    await ok(
      as(['-n', chart.otherNs, 'get', 'controllerrevision', 'seed-0123456789']),
      'get snapshot',
    );
    // The worker's own report writer: its TaskResult of the instance, created then patched.
    const writer = new ReportWriter(
      testKubeConfig(user).makeApiClient(CustomObjectsApi),
      me,
      silentLogger(),
    );
    const written = await writer.report(
      { namespace: chart.otherNs, name: 'seed-1', uid: seedUid },
      {
        task: 'a',
        worker: me,
        attempt: 1,
        event: 'AttemptStarted',
        set: { startedAt: new Date().toISOString() },
      },
    );
    const finished = await writer.report(
      { namespace: chart.otherNs, name: 'seed-1', uid: seedUid },
      { task: 'a', worker: me, attempt: 1, event: 'AttemptSucceeded', set: {} },
    );
    writer.stop();
    expect([written, finished]).toEqual([true, true]);
    const result = TaskResult.parse(
      JSON.parse(
        await ok(
          kubectl([
            '-n',
            chart.otherNs,
            'get',
            'taskresult',
            taskResultName('seed-1', me),
            '-o',
            'json',
          ]),
          'get result',
        ),
      ),
    );
    expect(result.spec.results['a@1']?.phase).toBe('Succeeded');

    // Its own Lease, the way the heartbeat writes it: create, merge patch, update, delete.
    await ok(as(['create', '-f', '-'], lease(me, chart.ns)), 'create own lease');
    await ok(
      as([
        '-n',
        chart.ns,
        'patch',
        'lease',
        me,
        '--type=merge',
        '-p',
        '{"spec":{"leaseDurationSeconds":9}}',
      ]),
      'patch own lease',
    );
    await ok(as(['replace', '-f', '-'], lease(me, chart.ns)), 'update own lease');
    await ok(as(['-n', chart.ns, 'delete', 'lease', me]), 'delete own lease');

    // kubectl patch and label read the object first: the API is called
    // directly so that the write itself is what gets refused.
    const api = testKubeConfig(user).makeApiClient(CustomObjectsApi);
    const dag = {
      group: 'fastflow.io',
      version: 'v1alpha1',
      namespace: chart.otherNs,
      plural: 'dags',
    };
    const instance = { ...dag, plural: 'daginstances' };
    const refusals = await Promise.all([
      as(['-n', chart.otherNs, 'get', 'dag', 'seed']).then(httpCode),
      as(['-n', chart.otherNs, 'delete', 'dag', 'seed']).then(httpCode),
      as(
        ['-n', chart.otherNs, 'create', '-f', '-'],
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
      // The operator is the only writer of an instance's status.
      refusal(
        api.patchNamespacedCustomObjectStatus(
          { ...instance, name: 'seed-1', body: { status: { phase: 'Succeeded' } } },
          mergePatchOptions,
        ),
      ),
    ]);
    expect(refusals.map((r) => r.code)).toEqual([403, 403, 403, 403, 403, 403, 403]);
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
      'patch daginstances/status',
    ]);
  });
});

describe("the built-in actions' grants", () => {
  it('as the user fastflow-worker: the guard lets it create and delete only Jobs owned by an instance', async (ctx) => {
    const user = testWorkerKubeconfigPath();
    if (user === undefined) return ctx.skip();
    const as = kubectlAs(user);
    // A new admission policy takes effect within moments: wait for its first refusal.
    let refused = await as(['create', '--dry-run=server', '-f', '-'], job('app-job', false));
    for (let i = 0; i < 75 && !/fastflow worker guard/.test(refused.stderr); i++) {
      await sleep(200);
      refused = await as(['create', '--dry-run=server', '-f', '-'], job('app-job', false));
    }
    expect(refused.stderr).toContain('may only create and delete Jobs owned by a DagInstance');
    await ok(as(['create', '-f', '-'], job('owned-job', true)), 'create an owned Job');
    await ok(as(['-n', chart.otherNs, 'delete', 'job', 'owned-job']), 'delete an owned Job');
    await ok(kubectl(['create', '-f', '-'], { input: job('app-job', false) }), "an app's Job");
    const deleted = await as(['-n', chart.otherNs, 'delete', 'job', 'app-job']);
    expect(deleted.code).not.toBe(0);
    expect(deleted.stderr).toContain('fastflow worker guard');
  });

  it('renders the Secret and Job rules by default, and none with the switches off', async () => {
    const workerRules = async (set: string[]): Promise<string[]> => {
      const role = manifests(await render(chart.helm, chart.opts({ set }))).find(
        (m) => m.kind === 'ClusterRole' && m.metadata.name === `${chart.fullname}-worker`,
      ) as Loose;
      return (role.rules as { resources: string[] }[]).flatMap((r) => r.resources);
    };
    const builtins = ['secrets', 'jobs', 'pods', 'pods/log'];
    expect(await workerRules([])).toEqual(expect.arrayContaining(builtins));
    const off = await workerRules(['rbac.workerSecrets=false', 'rbac.workerJobs=false']);
    expect(off.filter((r) => builtins.includes(r))).toEqual([]);
    expect(off).toContain('configmaps');
  });
});
