/**
 * The fastflow image as the chart runs it, without a Docker engine:
 * `hack/image.sh` builds it from the Dockerfile (umoci) and runs it with runc
 * as uid 1000 on a read-only root. Containers are real OS processes (`runc
 * run`), so tests stop them like any other fastflow process.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../hack/image.sh', import.meta.url));
const run = promisify(execFile);

export interface ImageContainer {
  readonly name: string;
  readonly exited: Promise<number | string>;
  /** Stops the container (SIGTERM, forwarded by runc) and removes its runc state. */
  stop(): Promise<void>;
}

/** Builds the image (installing umoci and runc with apt-get when missing); returns `layout:tag`. */
export async function buildImage(): Promise<string> {
  const { stdout } = await run('bash', [SCRIPT, 'build'], { cwd: ROOT, maxBuffer: 64 << 20 });
  return stdout.trim().split('\n').at(-1) ?? '';
}

/** Runs the image's entrypoint with `args` in container `name`; output goes to `logFile`. */
export function runImage(
  name: string,
  args: readonly string[],
  opts: { kubeconfig: string; logFile: string; env: Record<string, string> },
): ImageContainer {
  const fd = openSync(opts.logFile, 'a');
  const child = spawn('bash', [SCRIPT, 'run', name, opts.kubeconfig, '--', ...args], {
    cwd: ROOT,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...opts.env },
  });
  closeSync(fd);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    name,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await run('runc', ['delete', '--force', name]).catch(() => undefined);
    },
  };
}

/** Runs `node -e script` inside running container `name`, as its own user; returns stdout. */
export async function nodeInContainer(name: string, script: string): Promise<string> {
  const { stdout } = await run('runc', ['exec', name, 'node', '-e', script]);
  return stdout;
}
