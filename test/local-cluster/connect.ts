/** For tests: an existing cluster (e.g. kind) instead of a local control plane. */
import { resolve } from 'node:path';
import { findBinaries } from './binaries.ts';
import { defaultLog } from './log.ts';
import { startControlPlane } from './start.ts';
import type { ControlPlaneOptions, TestCluster } from './types.ts';

/**
 * For tests: the cluster named by `FASTFLOW_TEST_KUBECONFIG` if set (stop()
 * does nothing, no tokens), else a fresh local control plane.
 */
export async function startOrConnect(
  opts: ControlPlaneOptions & { kubeconfig?: string } = {},
): Promise<TestCluster> {
  const given = opts.kubeconfig ?? process.env['FASTFLOW_TEST_KUBECONFIG'];
  if (given === undefined || given === '') return startControlPlane(opts);
  const external = resolve(given);
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(external);
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) {
    throw new Error(`kubeconfig ${external}: no current cluster`);
  }
  const binDir = await findBinaries(opts.binDir, opts.log ?? defaultLog);
  const workerKubeconfig = process.env['FASTFLOW_TEST_WORKER_KUBECONFIG'] || undefined;
  (opts.log ?? defaultLog)(`using existing cluster ${server} (${external})`);
  return {
    external: true,
    kubeconfigPath: external,
    server,
    adminToken: undefined,
    tokens: undefined,
    dir: undefined,
    binDir,
    etcdUrl: undefined,
    pids: undefined,
    kubeconfigFor: (user) => (user === 'admin' ? external : workerKubeconfig),
    stop: async () => {},
  };
}
