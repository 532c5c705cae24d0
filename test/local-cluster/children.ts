/**
 * The child processes of one control plane: spawning them with their output
 * in a log file and their pid in `<dir>/pids` (for the watchdog), and
 * stopping them by process id (never by name).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

const STOP_GRACE_MS = 2_000;

/** What one control plane started: its temp dir, etcd and kube-apiserver, its watchdog. */
export type Running = {
  dir: string;
  children: ChildProcess[];
  watchdog: ChildProcess | undefined;
};

export function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

export function exited(child: ChildProcess): Promise<void> {
  if (!isAlive(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGKILLs the watchdog and the children at once (for the exit handler: no waiting). */
export function killSync(state: Running): void {
  // The watchdog first, so it never kills a pid after we already did.
  if (state.watchdog?.pid !== undefined && isAlive(state.watchdog)) {
    try {
      process.kill(-state.watchdog.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const child of state.children) {
    if (child.pid !== undefined && isAlive(child)) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Starts `command` with stdout and stderr appended to `<dir>/<name>.log`; records its pid. */
export function spawnLogged(
  state: Running,
  name: string,
  command: string,
  args: string[],
): { child: ChildProcess; logPath: string } {
  const logPath = join(state.dir, `${name}.log`);
  const fd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ['ignore', fd, fd], detached: false });
  } finally {
    closeSync(fd);
  }
  child.on('error', () => {
    // spawn failures (ENOENT, EACCES) surface as pid === undefined
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  state.children.push(child);
  appendFileSync(join(state.dir, 'pids'), `${child.pid}\n`);
  return { child, logPath };
}

/** SIGTERM, up to STOP_GRACE_MS to exit, then SIGKILL; resolves once it has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (!isAlive(child)) return;
  try {
    child.kill('SIGTERM');
  } catch {
    // already gone
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    exited(child),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS))),
  ]);
  clearTimeout(timer);
  if (isAlive(child)) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  await exited(child);
}
