/**
 * The system under test: operators and workers as OS processes (as they run
 * out of cluster), their logs in a temp dir outside the repo, and their stop
 * (SIGTERM, grace, SIGKILL) by process id. A process the bench kills on
 * purpose (a failover measurement) does not count as a failure.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { spawnFastflow, type FastflowProcess } from '../local-cluster/fastflow-process.ts';

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

const STOP_GRACE_MS = 3_000;
const READY_TIMEOUT_MS = 30_000;
const TAIL_LINES = 25;

type Named = {
  name: string;
  proc: FastflowProcess;
  exit: number | string | undefined;
  /** Killed by the bench itself: its exit is expected. */
  killed: boolean;
};

export class BenchProcesses {
  readonly logDir = mkdtempSync(join(tmpdir(), 'fastflow-bench-'));
  readonly #procs: Named[] = [];
  readonly #opts: ProcessOptions;
  #stopping = false;

  constructor(opts: ProcessOptions) {
    this.#opts = opts;
  }

  start(): void {
    this.addOperator('operator', undefined);
    const actions = this.#opts.workerActions.flatMap((m) => ['--actions', m]);
    for (let i = 1; i <= this.#opts.workers; i++) {
      const concurrency = String(this.#opts.workerConcurrency);
      this.#add(
        this.#opts.workers === 1 ? 'worker' : `worker-${i}`,
        ['worker', '--name', 'bench', '--concurrency', concurrency, ...actions],
        {},
      );
    }
  }

  /** Starts an operator replica; with a metrics port, its /metrics can be scraped. */
  addOperator(name: string, metricsPort: number | undefined): void {
    const args = ['operator', '--identity', `bench-${name}`];
    if (this.#opts.operatorConcurrency !== undefined) {
      args.push('--concurrency', String(this.#opts.operatorConcurrency));
    }
    this.#add(name, args, metricsPort ? { FASTFLOW_METRICS_PORT: String(metricsPort) } : {});
  }

  /** The process id of a process started under `name`. */
  pid(name: string): number | undefined {
    return this.#procs.find((p) => p.name === name)?.proc.pid;
  }

  /** kill -9 of one process, on purpose: its exit is not a failure. */
  kill(name: string): void {
    const entry = this.#procs.find((p) => p.name === name);
    if (!entry) throw new Error(`no process ${name}`);
    entry.killed = true;
    entry.proc.kill('SIGKILL');
  }

  #add(name: string, args: string[], env: Record<string, string>): void {
    const proc = spawnFastflow(args, {
      kubeconfig: this.#opts.kubeconfig,
      namespace: this.#opts.namespace,
      env: { FASTFLOW_LOG_LEVEL: process.env['FASTFLOW_BENCH_LOG_LEVEL'] ?? 'info', ...env },
      logFile: join(this.logDir, `${name}.log`),
    });
    const entry: Named = { name, proc, exit: undefined, killed: false };
    void proc.exited.then((code) => (entry.exit = code));
    this.#procs.push(entry);
  }

  /** "worker exited (1)" for the first process that is gone, else undefined. */
  exitReason(): string | undefined {
    if (this.#stopping) return 'the bench is stopping them (interrupted)';
    const gone = this.#procs.find((p) => p.exit !== undefined && !p.killed);
    return gone ? `${gone.name} exited (${String(gone.exit)})` : undefined;
  }

  /** Waits until the operator holds the leader Lease and every worker's Lease exists. */
  async ready(kc: KubeConfig): Promise<void> {
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const ns = this.#opts.namespace;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let leader: string | undefined;
    let workers: string[] = [];
    while (Date.now() < deadline) {
      const gone = this.exitReason();
      if (gone) throw new Error(`${gone} during start`);
      try {
        const leases = await coordination.listNamespacedLease({ namespace: ns });
        leader = leases.items.find((l) => l.metadata?.name === 'fastflow-operator')?.spec
          ?.holderIdentity;
        workers = leases.items
          .filter((l) => l.metadata?.labels?.['fastflow.io/worker'] !== undefined)
          .map((l) => l.metadata?.name ?? '');
        if (leader && workers.length >= this.#opts.workers) return;
      } catch {
        // transient: poll again
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `not ready after ${READY_TIMEOUT_MS / 1000} s: leader ${leader ?? '(none)'}, ` +
        `worker leases [${workers.join(', ')}]`,
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

  /** SIGTERM, a grace period, then SIGKILL; resolves once every process has exited. */
  async stop(): Promise<void> {
    this.#stopping = true;
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
