/**
 * Helpers for integration test files: the cluster started (or connected to)
 * by test/support/global-setup.ts.
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { runKubectl, type KubectlResult } from '../local-cluster/kubectl.ts';

/** Admin kubeconfig of the test cluster. */
export function testKubeconfigPath(): string {
  return inject('kubeconfigPath');
}

/** Kubeconfig of the non-admin user `fastflow-worker`; undefined against an external cluster. */
export function testWorkerKubeconfigPath(): string | undefined {
  return inject('workerKubeconfigPath');
}

/** Directory with the control-plane binaries (kubectl, etcd, kube-apiserver). */
export function testBinDir(): string {
  return inject('binDir');
}

export function testKubeConfig(path: string = testKubeconfigPath()): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** Creates `<prefix>-<random>` (a valid DNS label) and returns its name. */
export async function createTestNamespace(prefix: string): Promise<string> {
  const base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  const name = `${base || 'test'}-${randomBytes(4).toString('hex')}`;
  const api = testKubeConfig().makeApiClient(CoreV1Api);
  await api.createNamespace({ body: { metadata: { name } } });
  return name;
}

/**
 * Deletes a namespace (does not wait: without a controller-manager the
 * namespace stays Terminating, which is harmless for a throw-away cluster).
 */
export async function deleteTestNamespace(name: string): Promise<void> {
  const api = testKubeConfig().makeApiClient(CoreV1Api);
  try {
    await api.deleteNamespace({ name });
  } catch (e) {
    if ((e as { code?: unknown }).code !== 404) throw e;
  }
}

/** Runs the project's kubectl against the test cluster (admin unless `kubeconfig` is given). */
export function kubectl(
  args: string[],
  opts: { input?: string; kubeconfig?: string } = {},
): Promise<KubectlResult> {
  return runKubectl(testBinDir(), opts.kubeconfig ?? testKubeconfigPath(), args, opts.input);
}
