import type { DagInstance } from '../../operator/api/objects.ts';
import { watchInstance } from '../../actions-runtime/client/wait.ts';
import { makeClients } from '../../operator/kube/client.ts';
import { silentLogger } from '../../operator/log.ts';
import { testKubeConfig } from './cluster.ts';
import type { FastflowEnv } from './fastflow-env.ts';

/**
 * Every version of an instance a watch delivers, from the first one it
 * lists (the instance must exist) until `done` holds for one: what the API
 * server stored and sent to watchers, to measure it (with `serializedBytes`:
 * the watch's cache leaves managedFields out, and that counts them in).
 */
export async function versionsUntil(
  env: FastflowEnv,
  name: string,
  done: (i: DagInstance) => boolean,
  timeoutMs: number,
): Promise<DagInstance[]> {
  const seen: DagInstance[] = [];
  const clients = makeClients(testKubeConfig(env.kubeconfigPath), { userAgent: 'versions-test' });
  await watchInstance(
    clients,
    silentLogger(),
    { namespace: env.namespace, name },
    (i) => {
      seen.push(i);
      return done(i) ? i : undefined;
    },
    { timeoutMs },
  );
  return seen;
}
