import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = fileURLToPath(new URL('../../operator/cli/main.ts', import.meta.url));

export interface FastflowProcess {
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnOptions {
  kubeconfig: string;
  namespace: string;
  logFile: string;
  /** Extra environment (FASTFLOW_* settings). */
  env?: Record<string, string>;
}

/**
 * Starts a fastflow process (operator, worker, or a user's worker program) as
 * a separate OS process, exactly as it runs out of cluster, so tests can
 * kill -9 it. Output goes to `logFile`.
 */
export function spawnFastflow(args: readonly string[], opts: SpawnOptions): FastflowProcess {
  const fd = openSync(opts.logFile, 'a');
  const isScript = /\.[jt]s$/.test(args[0] ?? '');
  const child: ChildProcess = spawn(process.execPath, isScript ? [...args] : [cli, ...args], {
    cwd: repo,
    stdio: ['ignore', fd, fd],
    env: {
      ...process.env,
      KUBECONFIG: opts.kubeconfig,
      FASTFLOW_NAMESPACE: opts.namespace,
      FASTFLOW_LOG_LEVEL: 'debug',
      // Many processes on one machine: no metrics port unless asked for.
      FASTFLOW_METRICS_PORT: '0',
      ...opts.env,
    },
  });
  closeSync(fd);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    pid: child.pid ?? -1,
    logFile: opts.logFile,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
