/**
 * One scenario's fastflow: its own namespace, two operator replicas and
 * several workers running the SDK example worker (`examples/print-chain/
 * worker.ts`, as a user runs it), all real OS processes the scenario kills,
 * stops and resumes by name; the harness's own watch of the instances; the
 * API server's audit log from the scenario's start.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { BenchApi } from '../bench/instances.ts';
import { InstanceWatch } from '../bench/instance-watch.ts';
import { Processes, leaseHolders, type LeaseHolders } from '../bench/processes.ts';
import type { ControlPlane } from '../local-cluster/control-plane.ts';
import { AuditLog } from './audit.ts';
import type { Sizes } from './options.ts';

/** How soon an exited process is replaced (a kubelet restarts a container at once the first time). */
const SUPERVISE_MS = 500;
/** Five processes starting at once on a loaded 2-core machine take a while. */
const READY_TIMEOUT_MS = 120_000;

const EXAMPLE_WORKER = 'examples/print-chain/worker.ts';

/** What every scenario of a run shares: the control plane and the run's settings. */
export type RunEnv = {
  cp: ControlPlane;
  kc: KubeConfig;
  kubeconfigPath: string;
  auditLogPath: string;
  sizes: Sizes;
  log: (msg: string) => void;
};

export class FaultSystem {
  readonly namespace: string;
  readonly procs: Processes;
  readonly api: BenchApi;
  readonly watch: InstanceWatch;
  readonly audit: AuditLog;
  readonly env: RunEnv;
  readonly operators: string[] = [];
  /** Operators and workers that exited and were replaced: "name (faulted)", "name (exited 1)". */
  readonly exits: string[] = [];
  readonly #supervised = new Set<string>();
  readonly #supervisor = setInterval(() => this.#supervise(), SUPERVISE_MS);
  #workers = 0;

  private constructor(env: RunEnv, namespace: string, kubeconfig: string) {
    this.env = env;
    this.namespace = namespace;
    this.procs = new Processes({ kubeconfig, namespace }, `fastflow-faults-${namespace}-`);
    this.api = new BenchApi(env.kc, namespace);
    this.watch = new InstanceWatch(env.kc, this.api);
    this.audit = new AuditLog(env.auditLogPath, namespace);
  }

  /**
   * A fresh namespace `faults-<scenario>` with two operators and `sizes.workers`
   * workers, ready (a leader elected, every worker's Lease written).
   * `kubeconfig`: what the processes use (R5 points them at a proxy).
   */
  static async start(
    env: RunEnv,
    scenario: string,
    kubeconfig = env.kubeconfigPath,
  ): Promise<FaultSystem> {
    const namespace = `faults-${scenario.toLowerCase()}`;
    await env.kc
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
    const sys = new FaultSystem(env, namespace, kubeconfig);
    sys.startOperator();
    sys.startOperator();
    for (let i = 0; i < env.sizes.workers; i++) sys.startWorker();
    await sys.procs.ready(env.kc, env.sizes.workers, READY_TIMEOUT_MS);
    await sys.watch.start();
    return sys;
  }

  /** Starts one more operator replica; returns its process name, which is its identity. */
  startOperator(): string {
    const name = `${this.namespace}-op-${this.operators.length + 1}`;
    this.procs.spawn(name, ['operator', '--identity', name], operatorLeaseEnv(this.env.sizes));
    this.operators.push(name);
    this.#supervised.add(name);
    return name;
  }

  /** Starts one more example worker; returns its process name (its Lease is `<name>-<5 hex>`). */
  startWorker(): string {
    const name = `${this.namespace}-w${++this.#workers}`;
    this.procs.spawn(name, [EXAMPLE_WORKER], {
      FASTFLOW_NAME: name,
      FASTFLOW_CONCURRENCY: String(this.env.sizes.workerConcurrency),
      FASTFLOW_LEASE_DURATION_SECS: String(this.env.sizes.workerLeaseSecs),
    });
    this.#supervised.add(name);
    return name;
  }

  holders(): Promise<LeaseHolders> {
    return leaseHolders(this.env.kc, this.namespace);
  }

  /** The leader's identity (= its process name), waiting for a live replica to hold the Lease. */
  async leader(timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { leader } = await this.holders().catch(() => ({ leader: undefined }));
      // The Lease names a replica that exited until another one takes it over.
      if (
        leader !== undefined &&
        this.operators.includes(leader) &&
        this.procs.get(leader).exit === undefined
      )
        return leader;
      await sleep(200);
    }
    throw new Error(`no operator of ${this.namespace} became leader in ${timeoutMs / 1000} s`);
  }

  /** Resolves (with performance.now()) once the leader Lease names another holder than `old`. */
  async takeover(old: string, timeoutMs: number): Promise<{ leader: string; at: number }> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { leader } = await this.holders().catch(() => ({ leader: undefined }));
      if (leader !== undefined && leader !== old) return { leader, at: performance.now() };
      await sleep(100);
    }
    throw new Error(`nobody took over from ${old} in ${timeoutMs / 1000} s`);
  }

  /**
   * Restarts every operator or worker that exits, killed or on its own, with
   * a new replica (a new identity or worker name), as a Deployment would:
   * an operator exits when it cannot renew its leadership, and its pod comes
   * back. What exited is listed in `exits`.
   */
  #supervise(): void {
    for (const p of this.procs.all()) {
      if (p.exit === undefined || !this.#supervised.has(p.name)) continue;
      this.#supervised.delete(p.name);
      this.exits.push(`${p.name} (${p.faulted ? 'faulted' : `exited ${String(p.exit)}`})`);
      if (this.operators.includes(p.name)) this.startOperator();
      else this.startWorker();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#supervisor);
    this.watch.stop();
    await this.procs.stop();
  }
}

/** The operator's Lease duration; renew deadline and retry period keep the product's ratio (15/10/2). */
function operatorLeaseEnv(sizes: Sizes): Record<string, string> {
  return {
    FASTFLOW_LEASE_DURATION_SECS: String(sizes.operatorLeaseSecs),
    FASTFLOW_RENEW_DEADLINE_SECS: String((sizes.operatorLeaseSecs * 2) / 3),
    FASTFLOW_RETRY_PERIOD_SECS: String(sizes.operatorLeaseSecs / 7.5),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
