/**
 * Helpers for integration test files: the cluster started (or connected to)
 * by test/support/global-setup.ts.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';

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
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(testBinDir(), 'kubectl'),
      ['--kubeconfig', opts.kubeconfig ?? testKubeconfigPath(), ...args],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({ code: code ?? (signal !== null ? 128 : 1), stdout, stderr }),
    );
    child.stdin.on('error', () => {
      // kubectl may exit before reading its input; the exit code tells
    });
    child.stdin.end(opts.input ?? '');
  });
}
