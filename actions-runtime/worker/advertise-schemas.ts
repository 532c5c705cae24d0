import { ACTION_SCHEMAS_ANNOTATION } from '../../operator/api/action-schemas.ts';
import type { KubeClients } from '../../operator/kube/client.ts';
import type { Logger } from '../../operator/log.ts';
import { ActionSchemaStore } from '../../operator/store/action-schemas.ts';
import type { ActionRegistry } from '../sdk/registry.ts';

/**
 * Publishes the actions' schemas (a ConfigMap named by their content, in the
 * Lease namespace) and returns the Lease annotation that names it. A worker
 * that cannot write it (RBAC) still runs: its Dags are then checked only
 * when their tasks run, and the warning says so.
 */
export async function advertiseSchemas(
  clients: KubeClients,
  namespace: string,
  registry: ActionRegistry,
  log: Logger,
): Promise<Record<string, string>> {
  try {
    const name = await new ActionSchemaStore(clients.core).publish(namespace, registry.schemas());
    return { [ACTION_SCHEMAS_ANNOTATION]: name };
  } catch (e) {
    log.warn(
      { namespace, err: (e as Error).message },
      'cannot publish the action schemas: Dags are not checked against them when applied',
    );
    return {};
  }
}
