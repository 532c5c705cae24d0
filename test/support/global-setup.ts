/**
 * vitest globalSetup of the `integration` project: one local control plane
 * (or the cluster named by FASTFLOW_TEST_KUBECONFIG) per test run, with the
 * CRDs of `crds/` installed. Test files reach it through test/support/cluster.ts.
 */
import type { TestProject } from 'vitest/node';
import { startOrConnect } from '../local-cluster/control-plane.ts';
import { installCrds } from '../local-cluster/kubectl.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfigPath: string;
    workerKubeconfigPath: string | undefined;
    binDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (msg: string): void => {
    process.stderr.write(`[integration setup] ${msg}\n`);
  };
  const cluster = await startOrConnect({ log });
  try {
    project.provide('kubeconfigPath', cluster.kubeconfigPath);
    project.provide('workerKubeconfigPath', cluster.kubeconfigFor('worker'));
    project.provide('binDir', cluster.binDir);
    await installCrds(cluster.binDir, cluster.kubeconfigPath);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return async () => {
    await cluster.stop();
  };
}
