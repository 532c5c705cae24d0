import type { CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { isConflict, isNotFound, kubeCall } from '../kube/errors.ts';
import type { Logger } from '../log.ts';
import type { LoadIndex } from './load-index.ts';
import { SchemaGc } from './schema-gc.ts';
import type { WorkerRegistry } from './worker-registry.ts';

export interface LeaseGcDeps {
  coordination: CoordinationV1Api;
  namespace: string;
  registry: WorkerRegistry;
  load: LoadIndex;
  graceMs: number;
  log: Logger;
}

/**
 * While `signal` is not aborted (the leader's term): now and then,
 * collectDeadWorkerLeases, then the action schemas no Lease names (schema-gc.ts).
 */
export function sweepDeadWorkerLeases(
  signal: AbortSignal,
  deps: LeaseGcDeps & { core: CoreV1Api },
): void {
  const schemas = new SchemaGc({ ...deps, log: deps.log.child({ component: 'schema-gc' }) });
  let running = false;
  const sweep = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      await collectDeadWorkerLeases(deps);
      await schemas.collect();
    } catch (e) {
      deps.log.warn({ err: String(e) }, 'worker Leases or action schemas not collected');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), Math.min(60_000, Math.max(1000, deps.graceMs / 2)));
  timer.unref();
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}

/**
 * Deletes the heartbeat Leases of workers that died without releasing them
 * (kill -9, a lost node): a worker name is unique per process, so nobody will
 * ever renew them again. Only Leases expired for `graceMs` whose worker holds
 * no task are deleted, each conditioned on the resourceVersion last seen.
 */
export async function collectDeadWorkerLeases(deps: LeaseGcDeps): Promise<number> {
  let deleted = 0;
  for (const dead of deps.registry.longDead(deps.graceMs)) {
    if (deps.load.load(dead.name) > 0) continue;
    try {
      await kubeCall(() =>
        deps.coordination.deleteNamespacedLease({
          name: dead.name,
          namespace: deps.namespace,
          body: { preconditions: { resourceVersion: dead.resourceVersion } },
        }),
      );
      deleted++;
      deps.log.info({ worker: dead.name }, 'deleted the Lease of a dead worker');
    } catch (err) {
      // Gone already, or renewed since: nothing to do.
      if (!isNotFound(err) && !isConflict(err)) {
        deps.log.warn({ worker: dead.name, err: String(err) }, 'dead worker Lease not deleted');
      }
    }
  }
  return deleted;
}
