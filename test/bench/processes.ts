/**
 * The system under test: operators and workers as OS processes (as they run
 * out of cluster), their logs in a temp dir outside the repo, and their stop
 * (SIGTERM, grace, SIGKILL) by process id. The bench starts one operator and
 * one worker; the fault suite starts several, and kills, stops and resumes
 * them by name (a process it faulted on purpose does not count as gone).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { WORKER_LEASE_LABEL } from '../../operator/api/names.ts';
import { spawnFastflow, type FastflowProcess } from '../local-cluster/fastflow-process.ts';

export type ProcessOptions = {
  kubeconfig: string;
  namespace: string;
  /** Prefix of the temp dir holding the logs. Default `fastflow-bench-`. */
  logPrefix?: string;
  /** FASTFLOW_* settings of every process (each spawn may add its own). */
  env?: Record<string, string>;
};

/** The operator's default --lease-name. */
const LEADER_LEASE = 'fastflow-operator';
const STOP_GRACE_MS = 3_000;
const READY_TIMEOUT_MS = 30_000;
const TAIL_LINES = 25;

export type Named = {
  name: string;
  proc: FastflowProcess;
  exit: number | string | undefined;
  /** Killed or stopped by the caller on purpose: its exit is expected. */
  faulted: boolean;
};

/** Who holds which Lease of a namespace: the leader's identity and the workers' names. */
export type LeaseHolders = { leader: string | undefined; workers: string[] };

export async function leaseHolders(kc: KubeConfig, namespace: string): Promise<LeaseHolders> {
  const leases = await kc.makeApiClient(CoordinationV1Api).listNamespacedLease({ namespace });
  return {
    leader:
      leases.items.find((l) => l.metadata?.name === LEADER_LEASE)?.spec?.holderIdentity ??
      undefined,
    workers: leases.items
      .filter((l) => l.metadata?.labels?.[WORKER_LEASE_LABEL] !== undefined)
      .map((l) => l.metadata?.name ?? ''),
  };
}

export class BenchProcesses {
  readonly logDir: string;
  readonly #procs: Named[] = [];
  readonly #opts: ProcessOptions;
  #stopping = false;

  constructor(opts: ProcessOptions) {
    this.#opts = opts;
    this.logDir = mkdtempSync(join(tmpdir(), opts.logPrefix ?? 'fastflow-bench-'));
  }

  /** The bench's system: one operator and one worker (the built-in actions). */
  start(o: { workerConcurrency: number; operatorConcurrency: number | undefined }): void {
    const operatorArgs = ['operator', '--identity', 'bench-operator'];
    if (o.operatorConcurrency !== undefined) {
      operatorArgs.push('--concurrency', String(o.operatorConcurrency));
    }
    this.spawn('operator', operatorArgs);
    this.spawn('worker', [
      'worker',
      '--name',
      'bench',
      '--concurrency',
      String(o.workerConcurrency),
    ]);
  }

  /** Starts `fastflow <args>` (or a worker program `<file.ts>`) logging to `<logDir>/<name>.log`. */
  spawn(name: string, args: string[], env: Record<string, string> = {}): Named {
    const proc = spawnFastflow(args, {
      kubeconfig: this.#opts.kubeconfig,
      namespace: this.#opts.namespace,
      logFile: join(this.logDir, `${name}.log`),
      env: {
        FASTFLOW_LOG_LEVEL: process.env['FASTFLOW_BENCH_LOG_LEVEL'] ?? 'info',
        ...this.#opts.env,
        ...env,
      },
    });
    const entry: Named = { name, proc, exit: undefined, faulted: false };
    void proc.exited.then((code) => (entry.exit = code));
    this.#procs.push(entry);
    return entry;
  }

  get(name: string): Named {
    const found = this.#procs.find((p) => p.name === name);
    if (!found) throw new Error(`no process named ${name}`);
    return found;
  }

  /** Sends `signal` to the named process, marking it faulted (its exit is then expected). */
  fault(name: string, signal: NodeJS.Signals): Named {
    const entry = this.get(name);
    entry.faulted = true;
    if (entry.exit === undefined) process.kill(entry.proc.pid, signal);
    return entry;
  }

  /** "worker exited (1)" for the first process that is gone without being faulted, else undefined. */
  exitReason(): string | undefined {
    if (this.#stopping) return 'the bench is stopping them (interrupted)';
    const gone = this.#procs.find((p) => p.exit !== undefined && !p.faulted);
    return gone ? `${gone.name} exited (${String(gone.exit)})` : undefined;
  }

  /** Waits until an operator holds the leader Lease and `workers` worker Leases exist. */
  async ready(kc: KubeConfig, workers = 1): Promise<LeaseHolders> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last: LeaseHolders = { leader: undefined, workers: [] };
    while (Date.now() < deadline) {
      const gone = this.exitReason();
      if (gone) throw new Error(`${gone} during start`);
      try {
        last = await leaseHolders(kc, this.#opts.namespace);
        if (last.leader && last.workers.length >= workers) return last;
      } catch {
        // transient: poll again
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `not ready after ${READY_TIMEOUT_MS / 1000} s: leader ${last.leader ?? '(none)'}, ` +
        `worker leases [${last.workers.join(', ')}]`,
    );
  }

  /** The last lines of every process's log. */
  tails(lines = TAIL_LINES): string {
    return this.#procs
      .map(({ name, proc, exit }) => {
        let text: string;
        try {
          text = readFileSync(proc.logFile, 'utf8').trimEnd();
        } catch {
          text = '(no log)';
        }
        const tail = text.split('\n').slice(-lines).join('\n');
        const state = exit === undefined ? 'running' : `exited (${String(exit)})`;
        return `--- ${name} (pid ${proc.pid}, ${state}), last ${lines} lines of ${proc.logFile}:\n${tail}`;
      })
      .join('\n');
  }

  /** SIGCONT (a stopped process cannot act on SIGTERM), SIGTERM, a grace period, then SIGKILL. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const { proc } of this.#procs) proc.kill('SIGCONT');
    for (const { proc } of this.#procs) proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.all(this.#procs.map(({ proc }) => proc.exited));
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
    clearTimeout(timer);
    for (const { proc } of this.#procs) proc.kill('SIGKILL');
    await all;
  }

  /** For the 'exit' handler: synchronous, SIGKILL by pid. */
  killNow(): void {
    for (const { proc } of this.#procs) proc.kill('SIGKILL');
  }

  removeLogs(): void {
    rmSync(this.logDir, { recursive: true, force: true });
  }
}
