/**
 * vitest globalSetup of the `integration` project: one local control plane
 * (or the cluster named by FASTFLOW_TEST_KUBECONFIG) per test run, with the
 * CRDs of `crds/` installed. Test files reach it through test/support/cluster.ts.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startOrConnect } from '../../hack/local-cluster/control-plane.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfigPath: string;
    workerKubeconfigPath: string | undefined;
    binDir: string;
  }
}

const crdsDir = fileURLToPath(new URL('../../crds/', import.meta.url));

function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** `kubectl apply --server-side -f crds/`, then wait until every CRD is Established. */
async function installCrds(kubectl: string, kubeconfig: string): Promise<void> {
  let files: string[];
  try {
    files = (await readdir(crdsDir)).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    files = [];
  }
  if (files.length === 0) return; // no CRDs generated yet
  const apply = await run(kubectl, [
    '--kubeconfig',
    kubeconfig,
    'apply',
    '--server-side',
    '--force-conflicts',
    '-f',
    crdsDir,
  ]);
  if (apply.code !== 0) throw new Error(`kubectl apply -f ${crdsDir} failed:\n${apply.output}`);
  const wait = await run(kubectl, [
    '--kubeconfig',
    kubeconfig,
    'wait',
    '--for=condition=Established',
    'crd',
    '--all',
    '--timeout=60s',
  ]);
  if (wait.code !== 0) throw new Error(`CRDs not Established:\n${wait.output}`);
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
    await installCrds(join(cluster.binDir, 'kubectl'), cluster.kubeconfigPath);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return async () => {
    await cluster.stop();
  };
}
