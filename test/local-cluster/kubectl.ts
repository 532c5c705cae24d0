import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const crdsDir = fileURLToPath(new URL('../../crds/', import.meta.url));

/** Runs a command to its end, with `input` on stdin; never rejects on a non-zero exit. */
export function runCommand(
  command: string,
  args: readonly string[],
  input = '',
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({ code: code ?? (signal !== null ? 128 : 1), stdout, stderr }),
    );
    // The command may exit before reading its input; the exit code tells.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** Runs the project's own kubectl (never whatever is on PATH) with a kubeconfig. */
export function runKubectl(
  binDir: string,
  kubeconfig: string,
  args: readonly string[],
  input = '',
): Promise<KubectlResult> {
  return runCommand(join(binDir, 'kubectl'), ['--kubeconfig', kubeconfig, ...args], input);
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
  await waitForAdmissionPolicy(binDir, kubeconfig);
}

/** A Dag the preCheck admission policy refuses (an unknown op). */
const BAD_PRECHECK_DAG = JSON.stringify({
  apiVersion: 'fastflow.io/v1alpha1',
  kind: 'Dag',
  metadata: { name: 'policy-probe', namespace: 'default' },
  spec: {
    tasks: [
      {
        id: 'a',
        actionName: 'print',
        preCheck: [{ act: 'skip', conditions: [{ source: 'vars', key: 'k', op: 'bogus' }] }],
      },
    ],
  },
});

/**
 * The API server loads a new ValidatingAdmissionPolicy asynchronously: until
 * a server-side dry run of a Dag it must refuse is refused, it is not in force.
 */
async function waitForAdmissionPolicy(binDir: string, kubeconfig: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const probe = await runKubectl(
      binDir,
      kubeconfig,
      ['create', '--dry-run=server', '-f', '-'],
      BAD_PRECHECK_DAG,
    );
    if (probe.code !== 0 && probe.stderr.includes('preCheck')) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the preCheck admission policy is not in force:\n${probe.stdout}${probe.stderr}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
