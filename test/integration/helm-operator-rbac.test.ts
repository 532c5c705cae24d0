/**
 * The chart's RBAC, applied for real, for the operator: its ServiceAccount
 * may do what the operator needs and nothing more.
 */
import { beforeAll, expect, it } from 'vitest';
import { applyChartRbac } from '../support/chart-rbac.ts';
import { useHelmRelease } from '../support/helm-release.ts';
import { answers, canI } from '../support/kube-requests.ts';

const chart = useHelmRelease();
let operatorKubeconfig: string;

beforeAll(async () => {
  operatorKubeconfig = (await applyChartRbac(chart)).kc.operator;
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
        'list dagschedules.fastflow.io',
        'watch dagschedules.fastflow.io',
        'patch dagschedules.fastflow.io --subresource=status',
        'list taskresults.fastflow.io',
        'watch taskresults.fastflow.io',
        'delete taskresults.fastflow.io',
        'create taskshards.fastflow.io',
        'get taskshards.fastflow.io',
        'create controllerrevisions.apps',
        'get controllerrevisions.apps',
        'list controllerrevisions.apps',
        'delete controllerrevisions.apps',
        'delete daginstances.fastflow.io',
        'create daginstances.fastflow.io',
        'update daginstances.fastflow.io --subresource=finalizers',
        'create configmaps',
        'create events',
        'patch events.events.k8s.io',
        'get configmaps',
        'list configmaps',
        'delete configmaps',
      ],
      chart.otherNs,
    ),
    ...inNs(
      [
        'list leases.coordination.k8s.io',
        'watch leases.coordination.k8s.io',
        'create leases.coordination.k8s.io',
        'update leases.coordination.k8s.io/fastflow-operator',
        'patch leases.coordination.k8s.io/fastflow-operator',
        'delete leases.coordination.k8s.io',
        // The action schemas the worker Leases name; those named no more are deleted.
        'get configmaps',
        'list configmaps',
        'delete configmaps',
      ],
      chart.ns,
    ),
  ];
  const no = [
    ...inNs(
      [
        'create dags.fastflow.io',
        'update dags.fastflow.io',
        'delete dags.fastflow.io',
        'create dagschedules.fastflow.io',
        'patch dagschedules.fastflow.io',
        'update taskshards.fastflow.io',
        'patch taskshards.fastflow.io',
        'update configmaps',
        'get secrets',
        'create leases.coordination.k8s.io',
      ],
      chart.otherNs,
    ),
    ...inNs(['update leases.coordination.k8s.io/other-worker-0a1b2'], chart.ns),
  ];
  expect(await canI(operatorKubeconfig, yes)).toEqual(answers(yes, 'yes'));
  expect(await canI(operatorKubeconfig, no)).toEqual(answers(no, 'no'));
});
