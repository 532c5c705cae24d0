import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const crdsDir = fileURLToPath(new URL('../../crds/', import.meta.url));

/** Runs the project's own kubectl (never whatever is on PATH) with a kubeconfig. */
export function runKubectl(
  binDir: string,
  kubeconfig: string,
  args: readonly string[],
  input = '',
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(binDir, 'kubectl'), ['--kubeconfig', kubeconfig, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({ code: code ?? (signal !== null ? 128 : 1), stdout, stderr }),
    );
    // kubectl may exit before reading its input; the exit code tells.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** Applies crds/ server-side and waits until every CRD is Established. */
export async function installCrds(binDir: string, kubeconfig: string): Promise<void> {
  const apply = await runKubectl(binDir, kubeconfig, [
    'apply',
    '--server-side',
    '--force-conflicts',
    '-f',
    crdsDir,
  ]);
  if (apply.code !== 0) throw new Error(`kubectl apply -f crds/ failed:\n${apply.stderr}`);
  const wait = await runKubectl(binDir, kubeconfig, [
    'wait',
    '--for=condition=Established',
    'crd',
    '--all',
    '--timeout=60s',
  ]);
  if (wait.code !== 0) throw new Error(`CRDs not Established:\n${wait.stderr}`);
}
