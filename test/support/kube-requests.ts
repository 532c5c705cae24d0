/**
 * Requests to the test cluster under given credentials, and how to read the
 * API server's answer: for tests of who may do what.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiException } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { kubectl, testKubeConfig } from './cluster.ts';

export type Kubectl = Awaited<ReturnType<typeof kubectl>>;

/** The output of a kubectl call that must succeed; `what` names it in the error. */
export async function ok(result: Promise<Kubectl>, what: string): Promise<string> {
  const r = await result;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stderr}`);
  return r.stdout;
}

/** Objects as one multi-document YAML stream, for `kubectl apply -f -`. */
export const toYaml = (objs: readonly object[]): string =>
  objs.map((o) => stringify(o)).join('---\n');

/** kubectl with these credentials; `input` on stdin. */
export const kubectlAs =
  (kubeconfig: string) =>
  (args: string[], input?: string): Promise<Kubectl> =>
    kubectl(args, { kubeconfig, ...(input !== undefined ? { input } : {}) });

/** A kubeconfig file in `dir` for the test cluster with this bearer token. */
export function kubeconfigWithToken(dir: string, name: string, token: string): string {
  const cluster = testKubeConfig().getCurrentCluster();
  if (!cluster) throw new Error('the test kubeconfig has no current cluster');
  const path = join(dir, `kubeconfig-${name}`);
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

/** A token of ServiceAccount `sa` in `namespace`, bound to `pod` when given. */
export async function serviceAccountToken(
  namespace: string,
  sa: string,
  pod?: { name: string; uid: string },
): Promise<string> {
  const args = ['-n', namespace, 'create', 'token', sa, '--duration=10m'];
  if (pod) {
    args.push('--bound-object-kind=Pod', `--bound-object-name=${pod.name}`);
    args.push(`--bound-object-uid=${pod.uid}`);
  }
  return (await ok(kubectl(args), `create token ${sa}`)).trim();
}

/** A Lease held by `name`, as YAML. */
export function lease(name: string, namespace: string): string {
  return stringify({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace },
    spec: { holderIdentity: name, leaseDurationSeconds: 10 },
  });
}

/** `kubectl auth can-i` as `kubeconfig`: one row per check, with its answer. */
export async function canI(kubeconfig: string, checks: readonly string[]): Promise<string[]> {
  return Promise.all(
    checks.map(async (check) => {
      const [verb = '', resource = '', ...rest] = check.split(' ');
      const r = await kubectl(['auth', 'can-i', verb, resource, ...rest], { kubeconfig });
      return `${check}: ${r.stdout.trim() || r.stderr.trim()}`;
    }),
  );
}

/** The rows `canI` returns when every check has this answer. */
export const answers = (checks: readonly string[], answer: 'yes' | 'no'): string[] =>
  checks.map((c) => `${c}: ${answer}`);

/** A kubectl result as the HTTP code of the API server's refusal (403 for Forbidden). */
export function httpCode(r: Kubectl): { code: number; stderr: string } {
  return {
    code: /Error from server \(Forbidden\)/.test(r.stderr) ? 403 : r.code,
    stderr: r.stderr,
  };
}

/** How the API server answered a request that must be refused: HTTP code and message. */
export async function refusal(
  request: Promise<unknown>,
): Promise<{ code: number; stderr: string }> {
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
