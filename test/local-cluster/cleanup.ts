/**
 * Process bookkeeping: exit/signal handlers shared by all control planes of
 * this process, and the orderly stop of one control plane. Every process is
 * stopped by its process id (never by name) on stop(), on process exit and on
 * SIGINT/SIGTERM; the watchdog (watchdog.ts) covers a parent killed without
 * running any handler.
 */
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { exited, isAlive, killSync, stopChild, type Running } from './children.ts';

const running = new Set<Running>();
let handlersInstalled = false;

function onExit(): void {
  for (const state of running) {
    killSync(state);
    try {
      rmSync(state.dir, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  }
  running.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Somebody else handles this signal (the local-cluster script, vitest...):
  // they decide how to stop; 'exit' and the watchdog remain the backstops.
  if (process.listenerCount(signal) > 1) return;
  onExit();
  uninstallHandlers();
  // Re-raise with the default disposition so the exit status says "killed by signal".
  process.kill(process.pid, signal);
}

const onSigint = (): void => onSignal('SIGINT');
const onSigterm = (): void => onSignal('SIGTERM');

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', onExit);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
}

function uninstallHandlers(): void {
  if (!handlersInstalled) return;
  handlersInstalled = false;
  process.off('exit', onExit);
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
}

/** Registers a control plane with the exit/signal handlers (installed with the first one). */
export function track(state: Running): void {
  running.add(state);
  installHandlers();
}

function untrack(state: Running): void {
  running.delete(state);
  if (running.size === 0) uninstallHandlers();
}

/** Stops the children (reverse start order), then the watchdog; removes the temp dir. */
export async function stopRunning(state: Running): Promise<void> {
  // Reverse start order: kube-apiserver shuts down in ≈1 s while etcd is up,
  // but keeps retrying (until SIGKILL) once etcd is gone.
  for (const child of [...state.children].reverse()) await stopChild(child);
  const wd = state.watchdog;
  if (wd?.pid !== undefined && isAlive(wd)) {
    try {
      process.kill(-wd.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    wd.ref(); // unref'd at start: without this the loop could end before its exit event
    await exited(wd);
  }
  untrack(state);
  await rm(state.dir, { recursive: true, force: true });
}
