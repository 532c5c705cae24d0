/**
 * A fastflow deployment for one integration test file: operators and workers
 * as real OS processes (so tests can kill -9 them) against the test cluster,
 * scoped to the test's namespace, with short leases so failover is quick.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { FastflowClient } from '../../actions-runtime/client/client.ts';
import { DagInstance } from '../../operator/api/objects.ts';
import { instanceFinished } from '../../operator/api/dag-instance.ts';
import type { DagSpec } from '../../operator/api/dag.ts';
import {
  API_VERSION,
  DAG,
  DAG_INSTANCE,
  CAPACITY_ANNOTATION,
  WORKER_LEASE_LABEL,
  dagResource,
  instanceResource,
} from '../../operator/api/names.ts';
import { spawnFastflow, type FastflowProcess } from '../local-cluster/fastflow-process.ts';
import { kubectl, testKubeConfig, testKubeconfigPath } from './cluster.ts';

export const FAST_LEASES = {
  FASTFLOW_LEASE_DURATION_SECS: '3',
  FASTFLOW_RENEW_DEADLINE_SECS: '2',
  FASTFLOW_RETRY_PERIOD_SECS: '0.5',
};
const WORKER_LEASE_SECS = '2';

export class FastflowEnv {
  readonly namespace: string;
  readonly kubeconfigPath: string;
  readonly logs = mkdtempSync(join(tmpdir(), 'fastflow-test-'));
  readonly custom: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  readonly processes: FastflowProcess[] = [];
  #client: FastflowClient | undefined;

  /** `kubeconfigPath`: another cluster than the shared test cluster (e.g. one a test restarts). */
  constructor(namespace: string, kubeconfigPath = testKubeconfigPath()) {
    this.namespace = namespace;
    this.kubeconfigPath = kubeconfigPath;
    this.custom = testKubeConfig(kubeconfigPath).makeApiClient(CustomObjectsApi);
    this.coordination = testKubeConfig(kubeconfigPath).makeApiClient(CoordinationV1Api);
  }

  /** `env`: extra FASTFLOW_* settings, e.g. `FASTFLOW_METRICS_PORT` (off by default here). */
  startOperator(identity: string, opts: { env?: Record<string, string> } = {}): FastflowProcess {
    return this.#spawn(['operator', '--identity', identity], `${identity}.log`, {
      ...FAST_LEASES,
      ...opts.env,
    });
  }

  /** A worker named `<prefix>-<random>`; `actions` are extra modules for --actions. */
  startWorker(
    prefix: string,
    opts: { actions?: string[]; concurrency?: number; env?: Record<string, string> } = {},
  ): FastflowProcess {
    const args = ['worker', '--name', prefix];
    if (opts.actions?.length) args.push('--actions', ...opts.actions);
    if (opts.concurrency) args.push('--concurrency', String(opts.concurrency));
    return this.#spawn(args, `${prefix}.log`, {
      FASTFLOW_LEASE_DURATION_SECS: WORKER_LEASE_SECS,
      ...opts.env,
    });
  }

  /** The Dag as created (the API server's answer); a refusal rejects with its ApiException. */
  async createDag(name: string, spec: DagSpec | Record<string, unknown>): Promise<unknown> {
    return await this.custom.createNamespacedCustomObject({
      ...dagResource,
      namespace: this.namespace,
      body: { apiVersion: API_VERSION, kind: DAG.kind, metadata: { name }, spec },
    });
  }

  /** `spec`: more DagInstance spec fields, e.g. `ttlSecondsAfterFinished`. */
  async createInstance(
    name: string,
    dag: string,
    vars?: Record<string, string>,
    spec: Record<string, unknown> = {},
  ): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      ...instanceResource,
      namespace: this.namespace,
      body: {
        apiVersion: API_VERSION,
        kind: DAG_INSTANCE.kind,
        metadata: { name },
        spec: { dagRef: { name: dag }, ...(vars ? { vars } : {}), ...spec },
      },
    });
  }

  /** Names of the DagInstances that exist now. */
  async instanceNames(): Promise<string[]> {
    const list = (await this.custom.listNamespacedCustomObject({
      ...instanceResource,
      namespace: this.namespace,
    })) as { items: { metadata: { name: string } }[] };
    return list.items.map((i) => i.metadata.name).sort();
  }

  async getInstance(name: string): Promise<DagInstance> {
    const raw = await this.custom.getNamespacedCustomObject({
      ...instanceResource,
      namespace: this.namespace,
      name,
    });
    return DagInstance.parse(raw);
  }

  async getDag(name: string): Promise<Record<string, unknown>> {
    return (await this.custom.getNamespacedCustomObject({
      ...dagResource,
      namespace: this.namespace,
      name,
    })) as Record<string, unknown>;
  }

  /** The Dag's status once the operator has validated it (`valid` set). */
  async dagStatus(name: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 100; i++) {
      const status = (await this.getDag(name))['status'] as Record<string, unknown> | undefined;
      if (status?.['valid'] !== undefined) return status;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Dag ${name} got no status`);
  }

  /** Polls until `done(instance)` holds; fails with the last status and the logs' location. */
  async waitForInstance(
    name: string,
    done: (i: DagInstance) => boolean,
    timeoutMs = 60_000,
  ): Promise<DagInstance> {
    const deadline = Date.now() + timeoutMs;
    let last: DagInstance | undefined;
    while (Date.now() < deadline) {
      try {
        last = await this.getInstance(name);
        if (done(last)) return last;
      } catch {
        // not created yet, or a transient API error: poll again
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `instance ${name} did not reach the expected state in ${timeoutMs} ms; last status:\n` +
        `${stringify(last?.status ?? null)}\nprocess logs: ${this.logs}`,
    );
  }

  finished(name: string, timeoutMs?: number): Promise<DagInstance> {
    return this.waitForInstance(name, (i) => instanceFinished(i.status?.phase), timeoutMs);
  }

  /**
   * Waits until a line of a process's JSON log (`worker.log` for the worker
   * started with prefix `worker`) satisfies `match`: what the process did,
   * seen from outside, instead of a sleep.
   */
  async logLine(
    file: string,
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs = 20_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const text = existsSync(join(this.logs, file))
        ? readFileSync(join(this.logs, file), 'utf8')
        : '';
      for (const raw of text.split('\n')) {
        if (!raw.startsWith('{')) continue;
        const line = JSON.parse(raw) as Record<string, unknown>;
        if (match(line)) return line;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no matching line in ${join(this.logs, file)} within ${timeoutMs} ms`);
  }

  /** Worker names currently holding a heartbeat Lease, by process-name prefix. */
  async liveWorkers(): Promise<string[]> {
    return (await this.#workerLeases()).map((l) => l.metadata?.name ?? '');
  }

  async #workerLeases() {
    const leases = await this.coordination.listNamespacedLease({
      namespace: this.namespace,
      labelSelector: WORKER_LEASE_LABEL,
    });
    return leases.items;
  }

  /** The slots of every worker that holds a Lease: a wave this wide reaches each of them. */
  async workerSlots(): Promise<number> {
    const slots = (await this.#workerLeases()).map(
      (l) => Number(l.metadata?.annotations?.[CAPACITY_ANNOTATION]) || 1,
    );
    return Math.max(
      1,
      slots.reduce((a, b) => a + b, 0),
    );
  }

  /** The instance whole, as `kubectl fastflow get` reads it: entries moved into shards included. */
  async wholeInstance(name: string): Promise<DagInstance> {
    this.#client ??= new FastflowClient(testKubeConfig(this.kubeconfigPath));
    return this.#client.get({ namespace: this.namespace, name });
  }

  /**
   * Waits until the operator assigns work to the worker whose name starts
   * with `prefix` (holding a Lease is not enough: the operator must have seen
   * it): probes with as many parallel no-op tasks as the live workers have
   * slots, which one pass places one per free slot (it packs an instance's
   * tasks onto few workers, so fewer would all land on one). The probe is
   * read whole: past 32 finished tasks the status keeps them in shards.
   */
  async workerInUse(prefix: string): Promise<void> {
    for (let i = 0; i < 30; i++) {
      const width = await this.workerSlots();
      const name = `probe-${prefix}-${i}`;
      await this.createDag(name, {
        tasks: Array.from({ length: width }, (_, t) => ({
          id: `p${t}`,
          actionName: 'sleep',
          params: { seconds: 0 },
        })),
      });
      await this.createInstance(name, name);
      await this.finished(name);
      const done = await this.wholeInstance(name);
      const workers = Object.values(done.status?.tasks ?? {}).map((t) => t.worker ?? '');
      if (workers.some((w) => w.startsWith(`${prefix}-`))) return;
    }
    throw new Error(`the operator never assigned work to worker ${prefix}; logs: ${this.logs}`);
  }

  async leaderIdentity(): Promise<string | undefined> {
    try {
      const lease = await this.coordination.readNamespacedLease({
        namespace: this.namespace,
        name: 'fastflow-operator',
      });
      return lease.spec?.holderIdentity ?? undefined;
    } catch {
      return undefined;
    }
  }

  kubectl(args: string[], input?: string): ReturnType<typeof kubectl> {
    return kubectl(['-n', this.namespace, ...args], { input, kubeconfig: this.kubeconfigPath });
  }

  async stop(): Promise<void> {
    for (const p of this.processes) p.kill('SIGKILL');
    await Promise.all(this.processes.map((p) => p.exited));
  }

  #spawn(args: string[], log: string, env: Record<string, string>): FastflowProcess {
    const p = spawnFastflow(args, {
      kubeconfig: this.kubeconfigPath,
      namespace: this.namespace,
      logFile: join(this.logs, log),
      // Many processes share this machine: none binds the default metrics port unless asked.
      env: { FASTFLOW_METRICS_PORT: '0', ...env },
    });
    this.processes.push(p);
    return p;
  }
}
