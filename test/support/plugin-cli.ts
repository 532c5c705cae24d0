/**
 * `kubectl fastflow` as a user runs it: `node bin/kubectl-fastflow …` in a
 * child process with a clean environment, plainly or under a pseudo-terminal
 * (`script`), against a namespace of the test cluster where a real operator
 * and worker run and the Dags the plugin tests use are applied.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { createTestNamespace, testKubeconfigPath } from './cluster.ts';
import { GATE, napping, SHAKY } from './dags.ts';
import { FastflowEnv } from './fastflow-env.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'kubectl-fastflow');
const flaky = fileURLToPath(new URL('./actions/flaky.ts', import.meta.url));
/** The plugin's HOME: empty, so no ~/.kube/config is found. */
export const home = mkdtempSync(join(tmpdir(), 'kubectl-fastflow-home-'));
export const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

export type Result = { code: number; stdout: string; stderr: string };

/** Node 24 (this process's) first on PATH, as for a user. */
const userPath = (): string =>
  [dirname(process.execPath), process.env['PATH'] ?? ''].join(delimiter);

/**
 * Runs the plugin with a clean environment: an empty HOME, the test
 * cluster's kubeconfig (unless `extra` says otherwise; undefined removes a
 * variable), no inherited colour settings.
 */
export function plugin(
  args: string[],
  extra: Record<string, string | undefined> = {},
): Promise<Result> {
  const vars: Record<string, string> = {
    PATH: userPath(),
    HOME: home,
    KUBECONFIG: testKubeconfigPath(),
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete vars[k];
    else vars[k] = v;
  }
  return exec(process.execPath, [BIN, ...args], vars);
}

/** Runs `file` from the repository root with exactly the environment `vars`. */
export function exec(file: string, args: string[], vars: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, env: vars, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The plugin under a pseudo-terminal (`script`): what a user sees in a terminal, bytes as sent. */
export function pluginInTerminal(args: string[]): Promise<Result> {
  const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  return exec('script', ['-qec', command, '/dev/null'], {
    PATH: userPath(),
    HOME: home,
    KUBECONFIG: testKubeconfigPath(),
    TERM: 'xterm-256color',
  });
}

/** The lines of an output, without carriage returns or the final newline. */
export const lines = (text: string): string[] => text.replace(/\r/g, '').split('\n').slice(0, -1);

export interface PluginCluster {
  env: FastflowEnv;
  ns: string;
}

/**
 * For the calling test file: a namespace with an operator, a worker that
 * also runs the `flaky` test action, and the Dags `diamond` (a var `who`,
 * four print tasks a -> b, c -> d), `shaky`, `nap` (60 s) and `gate`.
 */
export function usePluginCluster(): PluginCluster {
  const cluster = {} as PluginCluster;
  beforeAll(async () => {
    cluster.ns = await createTestNamespace('plugin');
    const env = (cluster.env = new FastflowEnv(cluster.ns));
    env.startOperator('operator-a');
    env.startWorker('worker', { actions: [flaky] });
    await env.createDag('diamond', {
      vars: { who: { defaultValue: 'world' } },
      tasks: [
        { id: 'a', actionName: 'print', params: { greet: '{{who}}' } },
        { id: 'b', actionName: 'print', dependOn: ['a'] },
        { id: 'c', actionName: 'print', dependOn: ['a'] },
        { id: 'd', actionName: 'print', dependOn: ['b', 'c'] },
      ],
    });
    await env.createDag('shaky', SHAKY);
    await env.createDag('nap', napping(60));
    await env.createDag('gate', GATE);
  });
  afterAll(async () => {
    await cluster.env?.stop();
    rmSync(home, { recursive: true, force: true });
  });
  return cluster;
}
