import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testKubeconfigPath } from './cluster.ts';

const cli = fileURLToPath(new URL('../../operator/cli/main.ts', import.meta.url));

/** Runs `fastflow migrate ARGS` against the test control plane, as a user would. */
export function migrate(
  args: string[],
  cwd?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, 'migrate', ...args],
      { env: { ...process.env, KUBECONFIG: testKubeconfigPath() }, ...(cwd ? { cwd } : {}) },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
