import type { OperatorConfig } from '../api/config.ts';
import type { DagInstance } from '../api/objects.ts';
import type { KubeClients } from '../kube/client.ts';
import { Controller, type ControllerOptions } from '../kube/controller.ts';
import type { Informer } from '../kube/informer.ts';
import type { KubeObject } from '../kube/types.ts';
import type { Logger } from '../log.ts';
import type { CollectedKind } from '../observability/operator-metrics.ts';
import type { RevisionStore } from '../store/revisions.ts';
import { TraceStore } from '../store/traces.ts';
import { InstanceGc } from './instance-gc.ts';
import { collectSnapshots } from './revision-gc.ts';
import { TraceGc } from './trace-gc.ts';

export interface GarbageCollectors {
  /** Starts the collectors' loops; they stop when `signal` aborts (leadership lost). */
  start(signal: AbortSignal): void;
  stop(): Promise<void>;
}

/**
 * The leader's garbage collection of what fastflow leaves behind: finished
 * instances (TTL, history limits), Dag snapshots no instance references, and
 * attempt traces beyond their bounds.
 * Fed by the informers every replica runs; only the leader's loops act.
 */
export function garbageCollectors(deps: {
  config: OperatorConfig;
  clients: KubeClients;
  instances: Informer<DagInstance>;
  dags: Informer<KubeObject>;
  revisions: RevisionStore;
  /** Told what each collector deleted (metrics). */
  onCollected?: (kind: CollectedKind, count: number) => void;
  log: Logger;
}): GarbageCollectors {
  const log = deps.log.child({ controller: 'instance-gc' });
  const instanceGc = new InstanceGc({
    custom: deps.clients.custom,
    instance: (k) => deps.instances.get(k),
    dag: (k) => deps.dags.get(k),
    operatorTtlSeconds: deps.config.ttlSecondsAfterFinished,
    onDeleted: () => deps.onCollected?.('instance', 1),
    log,
  });
  const controller = collectorLoop('instance-gc', 'dag', log, instanceGc);
  const traceLog = deps.log.child({ controller: 'trace-gc' });
  const traceGc = new TraceGc({
    traces: new TraceStore(deps.clients.core),
    instance: (k) => deps.instances.get(k),
    limits: {
      attemptsPerTask: deps.config.traceAttemptsPerTask,
      perInstance: deps.config.tracesPerInstance,
    },
    onDeleted: (count) => deps.onCollected?.('trace', count),
    log: traceLog,
  });
  const traceController = collectorLoop('trace-gc', 'instance', traceLog, traceGc);
  deps.instances.onEvent((ev) => {
    const instance = ev.type === 'delete' ? undefined : ev.obj;
    const dagKey = instanceGc.observe(ev.key, instance);
    if (dagKey !== undefined) controller.enqueue(dagKey);
    if (traceGc.observe(ev.key, instance)) traceController.enqueue(ev.key);
  });
  // A Dag's TTL or history limits may have changed.
  deps.dags.onEvent((ev) => controller.enqueue(ev.key));
  return {
    start: (signal) => {
      controller.start(signal);
      traceController.start(signal);
      sweepSnapshots(deps, signal);
    },
    stop: async () => {
      await Promise.all([controller.stop(), traceController.stop()]);
    },
  };
}

/** The controller that runs a collector's reconcile, one key at a time; logs name the key `logKey`. */
function collectorLoop(
  name: string,
  logKey: string,
  logger: Logger,
  collector: Pick<ControllerOptions, 'reconcile'>,
): Controller {
  return new Controller({
    name,
    concurrency: 1,
    reconcile: (key, signal) => collector.reconcile(key, signal),
    logger,
    logKey,
  });
}

/**
 * Now and then (every grace period, at most a minute; the first time one
 * period after taking the lead, so that what the previous leader started is
 * in the caches), deletes the snapshots no instance references.
 */
function sweepSnapshots(deps: Parameters<typeof garbageCollectors>[0], signal: AbortSignal): void {
  const graceMs = deps.config.revisionGcSecs * 1000;
  const log = deps.log.child({ component: 'revision-gc' });
  const gc = {
    apps: deps.clients.apps,
    store: deps.revisions,
    namespace: deps.config.namespace,
    instances: () => deps.instances.list(),
    graceMs,
    log,
  };
  let running = false;
  const sweep = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const deleted = await collectSnapshots(gc, signal);
      if (deleted > 0) deps.onCollected?.('snapshot', deleted);
    } catch (e) {
      log.warn({ err: String(e) }, 'Dag snapshots not collected');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), Math.min(60_000, Math.max(1000, graceMs)));
  timer.unref();
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
