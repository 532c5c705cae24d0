import { type WorkerConfig, leaseNamespaceOf } from '../../operator/api/config.ts';
import {
  ACTIONS_ANNOTATION,
  CAPACITY_ANNOTATION,
  WORKER_LEASE_LABEL,
  workerLabel,
} from '../../operator/api/names.ts';
import type { KubeClients } from '../../operator/kube/client.ts';
import { API_OUTAGE_TOLERANCE_MS } from '../../operator/api/worker-lease.ts';
import { instanceInformer } from '../../operator/kube/custom-informers.ts';
import { HeartbeatLease } from '../../operator/kube/heartbeat-lease.ts';
import type { Logger } from '../../operator/log.ts';
import { Registry } from '../../operator/observability/metrics.ts';
import { WorkerMetrics } from './metrics.ts';
import { RevisionStore } from '../../operator/store/revisions.ts';
import { TaskShardStore } from '../../operator/store/task-shards.ts';
import { AttemptDataStore } from '../../operator/store/attempt-data.ts';
import { ShareDataStore } from '../../operator/store/share-data.ts';
import { TraceStore } from '../../operator/store/traces.ts';
import { advertiseSchemas } from './advertise-schemas.ts';
import { ChainStarts } from './chain-starts.ts';
import { switchPicker } from './switch-pick.ts';
import { executeAttempt, type ExecuteDeps, type InstanceView } from './execute-attempt.ts';
import { LocalAttempts, type LocalAttempt } from './local-attempts.ts';
import type { ActionRegistry } from '../sdk/registry.ts';
import { ReportWriter } from './report-writer.ts';
import { Slots } from './slots.ts';

export interface RunningWorker {
  readonly name: string;
  /** Resolves if the worker had to stop on its own (its Lease was lost). */
  readonly lost: Promise<void>;
  /** What it still waits for (its Lease, its informer's first sync); empty once ready. */
  notReady(): string[];
  /** Graceful stop: no new tasks, running ones get `drainSecs` to finish, then the Lease is released. */
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** Where the worker's metrics go (docs/metrics.md); default: a registry nobody reads. */
  metrics?: Registry;
}

/** Shards a worker keeps once read (immutable): the outputs of sharded parents. */
const SHARD_CACHE = 256;

/**
 * A worker: holds its heartbeat Lease advertising its actions, watches only
 * the instances labelled for it, runs the attempts assigned to it under a
 * concurrency limit, and reports each result into its TaskResult of the
 * instance, for the operator to fold in.
 */
export async function startWorker(
  config: WorkerConfig,
  registry: ActionRegistry,
  clients: KubeClients,
  log: Logger,
  opts: WorkerOptions = {},
): Promise<RunningWorker> {
  const ns = config.namespace;
  const attempts = new LocalAttempts(config.name);
  const slots = new Slots(config.concurrency);
  const writer = new ReportWriter(clients.custom, config.name, log.child({ component: 'reports' }));
  const revisions = new RevisionStore(clients.apps);
  const metrics = new WorkerMetrics(opts.metrics ?? new Registry(), registry.names());
  let leaseHeld = false;
  let markLost: () => void = () => {};
  const lost = new Promise<void>((r) => (markLost = r));

  const schemas = await advertiseSchemas(clients, leaseNamespaceOf(config), registry, log);
  const heartbeat = new HeartbeatLease({
    coordination: clients.coordination,
    namespace: leaseNamespaceOf(config),
    name: config.name,
    identity: config.name,
    labels: { [WORKER_LEASE_LABEL]: '' },
    annotations: {
      [ACTIONS_ANNOTATION]: JSON.stringify(registry.names()),
      [CAPACITY_ANNOTATION]: String(config.concurrency),
      ...schemas,
    },
    leaseDurationSeconds: config.leaseDurationSecs,
    renewIntervalMs: (config.leaseDurationSecs * 1000) / 3,
    // An API server restart must not cost the running tasks (docs/architecture.md,
    // "Worker liveness and recovery"): renewals that get no answer are borne this long.
    outageToleranceMs: Math.max(API_OUTAGE_TOLERANCE_MS, 3 * config.leaseDurationSecs * 1000),
    logger: log.child({ component: 'heartbeat' }),
    onLost: () => {
      leaseHeld = false;
      log.error('heartbeat lease lost: aborting every task');
      for (const a of attempts.all()) a.abort.abort(new Error('worker lost its lease'));
      writer.stop();
      markLost();
    },
  });
  await heartbeat.start();
  leaseHeld = true;

  const deps: ExecuteDeps = {
    registry,
    revisions,
    shards: new TaskShardStore(clients.custom, { cacheLimit: SHARD_CACHE }),
    writer,
    worker: config.name,
    log,
    metrics,
    shareData: new ShareDataStore(clients.core),
    traces: new TraceStore(clients.core),
    data: new AttemptDataStore(clients.core),
    bounds: { inlineBytes: config.inlineValueBytes, maxBytes: config.maxOutputBytes },
    coordination: clients.coordination,
    leaseNamespace: leaseNamespaceOf(config),
  };
  const launch = (a: LocalAttempt, view: InstanceView): void => {
    void slots.run(() => executeAttempt(a, view, deps));
  };
  const chain = new ChainStarts(launch, switchPicker({ revisions, shareData: deps.shareData }));
  deps.chain = chain;

  const informer = instanceInformer(clients, {
    namespace: ns,
    labelSelector: workerLabel(config.name),
    logger: log.child({ informer: 'assigned-instances' }),
  });
  informer.onEvent((ev) => {
    const { metadata, spec, status = {} } = ev.obj;
    const namespace = metadata.namespace ?? '';
    // Gone from the watch: deleted, or its label removed because this worker holds no task of it.
    writer.observe({ namespace, name: metadata.name }, ev.type === 'delete' ? undefined : status);
    if (ev.type === 'delete') {
      chain.forgetInstance(namespace, metadata.name);
      for (const a of attempts.forgetInstance(namespace, metadata.name))
        a.abort.abort(new Error('instance deleted, or no task of it is assigned here'));
      return;
    }
    const view: InstanceView = { uid: metadata.uid ?? '', spec, status };
    for (const change of attempts.observe(namespace, metadata.name, status)) {
      // A pre-assigned attempt waits for its parent's success (chain-starts.ts).
      if (change.type === 'start') chain.hold(change.attempt, view);
      else change.attempt.abort.abort(new Error(change.why));
    }
    chain.observe(namespace, metadata.name, view);
  });
  informer.start();
  await informer.synced();
  log.info({ actions: registry.names(), concurrency: config.concurrency }, 'worker started');

  return {
    name: config.name,
    lost,
    notReady: () => [
      ...(leaseHeld ? [] : ['heartbeat Lease not held']),
      ...(informer.hasSynced() ? [] : ['informer not synced']),
    ],
    async stop() {
      informer.stop();
      const deadline = Date.now() + config.drainSecs * 1000;
      while (attempts.all().some((a) => a.state !== 'done') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const a of attempts.all()) a.abort.abort(new Error('worker stopping'));
      await writer.drain();
      writer.stop();
      await heartbeat.stop();
    },
  };
}
