import type { OperatorConfig } from '../api/config.ts';
import type { DagInstance } from '../api/objects.ts';
import type { KubeClients } from '../kube/client.ts';
import { Controller } from '../kube/controller.ts';
import type { Informer } from '../kube/informer.ts';
import type { KubeObject } from '../kube/types.ts';
import type { Logger } from '../log.ts';
import { InstanceGc } from './instance-gc.ts';

export interface GarbageCollectors {
  /** Starts the collectors' loops; they stop when `signal` aborts (leadership lost). */
  start(signal: AbortSignal): void;
  stop(): Promise<void>;
}

/**
 * The leader's garbage collection of what fastflow leaves behind: finished
 * instances (TTL, history limits). Fed by the informers every replica runs;
 * only the leader's loops act.
 */
export function garbageCollectors(deps: {
  config: OperatorConfig;
  clients: KubeClients;
  instances: Informer<DagInstance>;
  dags: Informer<KubeObject>;
  log: Logger;
}): GarbageCollectors {
  const log = deps.log.child({ controller: 'instance-gc' });
  const instanceGc = new InstanceGc({
    custom: deps.clients.custom,
    instance: (k) => deps.instances.get(k),
    dag: (k) => deps.dags.get(k),
    operatorTtlSeconds: deps.config.ttlSecondsAfterFinished,
    log,
  });
  const controller = new Controller({
    name: 'instance-gc',
    concurrency: 1,
    reconcile: (key, signal) => instanceGc.reconcile(key, signal),
    logger: log,
    logKey: 'dag',
  });
  deps.instances.onEvent((ev) => {
    const dagKey = instanceGc.observe(ev.key, ev.type === 'delete' ? undefined : ev.obj);
    if (dagKey !== undefined) controller.enqueue(dagKey);
  });
  // A Dag's TTL or history limits may have changed.
  deps.dags.onEvent((ev) => controller.enqueue(ev.key));
  return {
    start: (signal) => controller.start(signal),
    stop: () => controller.stop(),
  };
}
