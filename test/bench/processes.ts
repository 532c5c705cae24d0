/**
 * The system under test: one operator and N workers as OS processes (as
 * they run out of cluster), their logs in a temp dir outside the repo, and
 * their stop (SIGTERM, grace, SIGKILL) by process id.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { spawnFastflow, type FastflowProcess } from '../local-cluster/fastflow-process.ts';

export type ProcessOptions = {
  kubeconfig: string;
  namespace: string;
  workerConcurrency: number;
  workers: number;
  /** Operator reconcile concurrency; undefined: the product's default. */
  operatorConcurrency: number | undefined;
};

const STOP_GRACE_MS = 3_000;
/** Node processes start slowly on a busy 2-core machine: more time for each extra worker. */
const READY_TIMEOUT_MS = 30_000;
const READY_PER_WORKER_MS = 10_000;
const TAIL_LINES = 25;

type Named = { name: string; proc: FastflowProcess; exit: number | string | undefined };

export class BenchProcesses {
  readonly logDir = mkdtempSync(join(tmpdir(), 'fastflow-bench-'));
  readonly #procs: Named[] = [];
  readonly #opts: ProcessOptions;
  #stopping = false;

  constructor(opts: ProcessOptions) {
    this.#opts = opts;
  }

  start(): void {
    const env = { FASTFLOW_LOG_LEVEL: process.env['FASTFLOW_BENCH_LOG_LEVEL'] ?? 'info' };
    const common = { kubeconfig: this.#opts.kubeconfig, namespace: this.#opts.namespace, env };
    const operatorArgs = ['operator', '--identity', 'bench-operator'];
    if (this.#opts.operatorConcurrency !== undefined) {
      operatorArgs.push('--concurrency', String(this.#opts.operatorConcurrency));
    }
    this.#add('operator', operatorArgs, common);
    for (let i = 1; i <= this.#opts.workers; i++) {
      this.#add(
        this.#opts.workers === 1 ? 'worker' : `worker-${i}`,
        ['worker', '--name', 'bench', '--concurrency', String(this.#opts.workerConcurrency)],
        common,
      );
    }
  }

  #add(
    name: string,
    args: string[],
    common: Omit<Parameters<typeof spawnFastflow>[1], 'logFile'>,
  ): void {
    const proc = spawnFastflow(args, { ...common, logFile: join(this.logDir, `${name}.log`) });
    const entry: Named = { name, proc, exit: undefined };
    void proc.exited.then((code) => (entry.exit = code));
    this.#procs.push(entry);
  }

  /** "worker exited (1)" for the first process that is gone, else undefined. */
  exitReason(): string | undefined {
    if (this.#stopping) return 'the bench is stopping them (interrupted)';
    const gone = this.#procs.find((p) => p.exit !== undefined);
    return gone ? `${gone.name} exited (${String(gone.exit)})` : undefined;
  }

  /** Waits until the operator holds the leader Lease and a worker Lease exists. */
  async ready(kc: KubeConfig): Promise<void> {
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const ns = this.#opts.namespace;
    const timeoutMs = READY_TIMEOUT_MS + (this.#opts.workers - 1) * READY_PER_WORKER_MS;
    const deadline = Date.now() + timeoutMs;
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
      `not ready after ${timeoutMs / 1000} s: leader ${leader ?? '(none)'}, ` +
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
