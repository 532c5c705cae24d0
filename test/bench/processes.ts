/**
 * The system under test: operators and workers as OS processes (as they run
 * out of cluster), their logs in a temp dir outside the repo, and their stop
 * (SIGTERM, grace, SIGKILL) by process id. A process killed or stopped on
 * purpose (a failover measurement, a fault of the fault suite) does not count
 * as a failure. `Processes` is any such set, by name; `BenchProcesses` is the
 * bench's: one operator and N workers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { WORKER_LEASE_LABEL } from '../../operator/api/names.ts';
import { spawnFastflow, type FastflowProcess } from '../local-cluster/fastflow-process.ts';
import { operatorNodeOptions } from './operator-heap.ts';

/** The operator's default --lease-name. */
const LEADER_LEASE = 'fastflow-operator';
const STOP_GRACE_MS = 3_000;
// Nine Node processes loading TypeScript take 25 s and more on the 2 shared cores under load.
const READY_TIMEOUT_MS = 90_000;
const TAIL_LINES = 25;

export type Named = {
  name: string;
  proc: FastflowProcess;
  exit: number | string | undefined;
  /** Killed or stopped on purpose: its exit is expected. */
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

export class Processes {
  readonly logDir: string;
  readonly #procs: Named[] = [];
  readonly #where: { kubeconfig: string; namespace: string };
  #stopping = false;

  /** `logPrefix`: of the temp dir holding the logs. */
  constructor(where: { kubeconfig: string; namespace: string }, logPrefix = 'fastflow-bench-') {
    this.#where = where;
    this.logDir = mkdtempSync(join(tmpdir(), logPrefix));
  }

  /** Starts `fastflow <args>` (or a worker program `<file.ts>`) logging to `<logDir>/<name>.log`. */
  spawn(name: string, args: string[], env: Record<string, string> = {}): Named {
    const proc = spawnFastflow(args, {
      kubeconfig: this.#where.kubeconfig,
      namespace: this.#where.namespace,
      env: { FASTFLOW_LOG_LEVEL: process.env['FASTFLOW_BENCH_LOG_LEVEL'] ?? 'info', ...env },
      logFile: join(this.logDir, `${name}.log`),
    });
    const entry: Named = { name, proc, exit: undefined, faulted: false };
    void proc.exited.then((code) => (entry.exit = code));
    this.#procs.push(entry);
    return entry;
  }

  /** Every process started, in start order. */
  all(): readonly Named[] {
    return this.#procs;
  }

  get(name: string): Named {
    const found = this.#procs.find((p) => p.name === name);
    if (!found) throw new Error(`no process ${name}`);
    return found;
  }

  /** The process id of a process started under `name`. */
  pid(name: string): number | undefined {
    return this.#procs.find((p) => p.name === name)?.proc.pid;
  }

  /** Sends `signal` to the named process on purpose: its exit is then not a failure. */
  fault(name: string, signal: NodeJS.Signals): Named {
    const entry = this.get(name);
    entry.faulted = true;
    entry.proc.kill(signal);
    return entry;
  }

  /** kill -9 of one process, on purpose. */
  kill(name: string): void {
    this.fault(name, 'SIGKILL');
  }

  /** "worker exited (1)" for the first process gone without being faulted, else undefined. */
  exitReason(): string | undefined {
    if (this.#stopping) return 'the bench is stopping them (interrupted)';
    const gone = this.#procs.find((p) => p.exit !== undefined && !p.faulted);
    return gone ? `${gone.name} exited (${String(gone.exit)})` : undefined;
  }

  /** Waits until an operator holds the leader Lease and at least `workers` worker Leases exist. */
  async ready(
    kc: KubeConfig,
    workers: number,
    timeoutMs = READY_TIMEOUT_MS,
  ): Promise<LeaseHolders> {
    const deadline = Date.now() + timeoutMs;
    let last: LeaseHolders = { leader: undefined, workers: [] };
    while (Date.now() < deadline) {
      const gone = this.exitReason();
      if (gone) throw new Error(`${gone} during start`);
      try {
        last = await leaseHolders(kc, this.#where.namespace);
        if (last.leader && last.workers.length >= workers) return last;
      } catch {
        // transient: poll again
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `not ready after ${timeoutMs / 1000} s: leader ${last.leader ?? '(none)'}, ` +
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

export type ProcessOptions = {
  kubeconfig: string;
  namespace: string;
  workers: number;
  workerConcurrency: number;
  /** Operator reconcile concurrency; undefined: the product's default. */
  operatorConcurrency: number | undefined;
  /** Action modules the workers load besides the built-in actions. */
  workerActions: string[];
};

/** The bench's system: one operator and `workers` workers. */
export class BenchProcesses extends Processes {
  readonly #opts: ProcessOptions;

  constructor(opts: ProcessOptions) {
    super(opts);
    this.#opts = opts;
  }

  start(): void {
    this.addOperator('operator', undefined);
    const actions = this.#opts.workerActions.flatMap((m) => ['--actions', m]);
    for (let i = 1; i <= this.#opts.workers; i++) {
      const concurrency = String(this.#opts.workerConcurrency);
      this.spawn(this.#opts.workers === 1 ? 'worker' : `worker-${i}`, [
        'worker',
        '--name',
        'bench',
        '--concurrency',
        concurrency,
        ...actions,
      ]);
    }
  }

  /**
   * Starts an operator replica, with the heap bound of the chart's pod; with a
   * metrics port, its /metrics can be scraped.
   */
  addOperator(name: string, metricsPort: number | undefined): void {
    const args = ['operator', '--identity', `bench-${name}`];
    if (this.#opts.operatorConcurrency !== undefined) {
      args.push('--concurrency', String(this.#opts.operatorConcurrency));
    }
    this.spawn(name, args, {
      NODE_OPTIONS: operatorNodeOptions(),
      ...(metricsPort ? { FASTFLOW_METRICS_PORT: String(metricsPort) } : {}),
    });
  }

  /** Waits until the operator holds the leader Lease and every worker's Lease exists. */
  override ready(kc: KubeConfig, workers = this.#opts.workers): Promise<LeaseHolders> {
    return super.ready(kc, workers);
  }
}
