/**
 * The chart's web view (ui.enabled): off by default; a Deployment that runs
 * `fastflow ui` read-only as its own ServiceAccount, whose RBAC, applied
 * for real, reads what the page shows and changes nothing unless
 * ui.operations is on. The page's server, run with that ServiceAccount's
 * token, reads and refuses operations.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../operator/log.ts';
import { connect } from '../../operator/plugin/connect.ts';
import { uiBackend } from '../../operator/plugin/ui-backend.ts';
import { startUi } from '../../operator/web/server.ts';
import { kubectl } from '../support/cluster.ts';
import { manifests, render } from '../support/helm.ts';
import { useHelmRelease, type Loose } from '../support/helm-release.ts';
import {
  answers,
  canI,
  kubeconfigWithToken,
  ok,
  serviceAccountToken,
  toYaml,
} from '../support/kube-requests.ts';

const chart = useHelmRelease();
const UI_TEMPLATES = ['templates/ui/deployment.yaml', 'templates/ui/rbac.yaml'];

const rendered = async (set: string[]): Promise<Loose[]> =>
  manifests(await render(chart.helm, chart.opts({ set, only: UI_TEMPLATES }))) as Loose[];

/** Applies the ui's ServiceAccount and RBAC; returns a kubeconfig with the ServiceAccount's token. */
async function uiCredentials(set: string[]): Promise<string> {
  const rbac = (await rendered(['ui.enabled=true', ...set])).filter(
    (m) => m.kind !== 'Deployment' && m.kind !== 'Service',
  );
  await ok(kubectl(['apply', '-f', '-'], { input: toYaml(rbac) }), 'apply the ui RBAC');
  const token = await serviceAccountToken(chart.ns, `${chart.fullname}-ui`);
  return kubeconfigWithToken(chart.scratch, `ui-${set.length}`, token);
}

describe('rendered', () => {
  it('is off by default', async () => {
    const all = manifests(await render(chart.helm, chart.opts()));
    expect(all.filter((m) => m.metadata.name.endsWith('-ui'))).toEqual([]);
  });

  it('runs fastflow ui read-only, restricted, as its own ServiceAccount', async () => {
    const objs = await rendered(['ui.enabled=true']);
    const deployment = objs.find((m) => m.kind === 'Deployment');
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe(`${chart.fullname}-ui`);
    expect(pod.containers[0].args).toEqual([
      'ui',
      '--address=0.0.0.0',
      '--port=8484',
      `--namespace=${chart.ns}`,
      '--read-only',
    ]);
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true });
    expect(objs.find((m) => m.kind === 'Service').spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
    ]);
    const on = await rendered(['ui.enabled=true', 'ui.operations=true', 'ui.allowedHosts={a.b}']);
    const args = on.find((m) => m.kind === 'Deployment').spec.template.spec.containers[0].args;
    expect(args).not.toContain('--read-only');
    expect(args).toContain('--allow-host=a.b');
  });

  it('has a NetworkPolicy only when asked: the page port, from the peers listed or nobody', async () => {
    const all = manifests(await render(chart.helm, chart.opts({ set: ['ui.enabled=true'] })));
    expect(all.filter((m) => m.kind === 'NetworkPolicy')).toEqual([]);
    const policy = async (set: string[]): Promise<Loose> => {
      const only = ['templates/ui/networkpolicy.yaml'];
      const on = ['ui.enabled=true', 'ui.networkPolicy.enabled=true', ...set];
      const [one, ...more] = manifests(await render(chart.helm, chart.opts({ set: on, only })));
      expect(more).toEqual([]);
      return one as Loose;
    };
    const from = await policy([
      'ui.networkPolicy.from[0].namespaceSelector.matchLabels.team=web',
      'ui.networkPolicy.from[0].podSelector.matchLabels.app=ingress',
    ]);
    const pods = (await rendered(['ui.enabled=true'])).find((m) => m.kind === 'Deployment').spec
      .template.metadata.labels as Record<string, string>;
    expect(from.metadata.name).toBe(`${chart.fullname}-ui`);
    expect(pods).toMatchObject(from.spec.podSelector.matchLabels);
    expect(from.spec.policyTypes).toEqual(['Ingress']);
    expect(from.spec.ingress).toEqual([
      {
        ports: [{ port: 'http', protocol: 'TCP' }],
        from: [
          {
            namespaceSelector: { matchLabels: { team: 'web' } },
            podSelector: { matchLabels: { app: 'ingress' } },
          },
        ],
      },
    ]);
    expect((await policy([])).spec.ingress).toEqual([]);
  });

  it('refuses a NetworkPolicy peer that is not one', async () => {
    const set = [
      'ui.enabled=true',
      'ui.networkPolicy.enabled=true',
      'ui.networkPolicy.from[0].team=web',
    ];
    await expect(render(chart.helm, chart.opts({ set }))).rejects.toThrow(/from\/0/);
  });
});

describe('its ServiceAccount, applied for real', () => {
  let readOnly: string;
  beforeAll(async () => {
    readOnly = await uiCredentials([]);
  });

  it('reads what the page shows and changes nothing', async () => {
    const inNs = (checks: string[]): string[] => checks.map((c) => `${c} -n ${chart.otherNs}`);
    const yes = [
      ...inNs([
        'list dags.fastflow.io',
        'watch daginstances.fastflow.io',
        'get daginstances.fastflow.io',
        'get taskshards.fastflow.io',
        'get controllerrevisions.apps',
        'get configmaps',
        'list configmaps',
      ]),
      'list namespaces',
    ];
    const no = inNs([
      'patch daginstances.fastflow.io',
      'create daginstances.fastflow.io',
      'delete daginstances.fastflow.io',
      'update daginstances.fastflow.io --subresource=status',
      'create configmaps',
      'get secrets',
      'list taskresults.fastflow.io',
    ]);
    expect(await canI(readOnly, yes)).toEqual(answers(yes, 'yes'));
    expect(await canI(readOnly, no)).toEqual(answers(no, 'no'));
  });

  it('serves the page with that token: reads, and refuses operations', async () => {
    const conn = connect({ kubeconfig: readOnly, namespace: chart.otherNs }, {});
    const ui = await startUi(
      uiBackend(conn),
      { address: '127.0.0.1', port: 0, readOnly: true },
      silentLogger(),
    );
    try {
      const namespaces = (await (await fetch(`${ui.url}api/namespaces`)).json()) as string[];
      expect(namespaces).toContain(chart.otherNs);
      const dags = await fetch(`${ui.url}api/namespaces/${chart.otherNs}/dags`);
      expect(dags.status).toBe(200);
      const op = await fetch(`${ui.url}api/namespaces/${chart.otherNs}/instances/x/operations`, {
        method: 'POST',
        headers: { 'x-fastflow-ui': '1', 'content-type': 'application/json' },
        body: JSON.stringify({ op: 'cancel' }),
      });
      expect(op.status).toBe(403);
      expect(((await op.json()) as { error: string }).error).toMatch(/read-only/);
    } finally {
      await ui.close();
    }
  });

  it('with ui.operations may also patch instances (how operations are asked for)', async () => {
    const operating = await uiCredentials(['ui.operations=true']);
    const check = [`patch daginstances.fastflow.io -n ${chart.otherNs}`];
    expect(await canI(operating, check)).toEqual(answers(check, 'yes'));
    const still = [`delete daginstances.fastflow.io -n ${chart.otherNs}`];
    expect(await canI(operating, still)).toEqual(answers(still, 'no'));
  });
});
