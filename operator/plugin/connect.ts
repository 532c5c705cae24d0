/**
 * The cluster the plugin talks to, found the way kubectl finds it:
 * `--kubeconfig`, else `$KUBECONFIG`, else `~/.kube/config`, else the pod's
 * service account; `--context` picks a context; the namespace is `-n`, else
 * the context's, else `default`.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { FastflowClient } from '../../actions-runtime/client/client.ts';
import { ObjectName } from '../api/common.ts';
import { loadKubeConfig, makeClients, ConfigError, type KubeClients } from '../kube/client.ts';
import { UsageError } from './errors.ts';

export type ClusterFlags = { kubeconfig?: string; context?: string; namespace?: string };

export type Connection = {
  client: FastflowClient;
  clients: KubeClients;
  namespace: string;
  /** The API server address, named in connection errors. */
  server: string;
};

/** The kubeconfig file to load: --kubeconfig, the first of $KUBECONFIG, ~/.kube/config if it exists. */
function kubeconfigFile(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (flag) return flag;
  const fromEnv = env['KUBECONFIG']?.split(delimiter).find((p) => p !== '');
  if (fromEnv) return fromEnv;
  const file = join(env['HOME'] || homedir(), '.kube', 'config');
  return existsSync(file) ? file : undefined;
}

export function connect(flags: ClusterFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  if (flags.namespace !== undefined) checkName('namespace', flags.namespace);
  const file = kubeconfigFile(flags.kubeconfig, env);
  if (!file && !env['KUBERNETES_SERVICE_HOST']) throw new ConfigError('no cluster configuration');
  const kc = loadKubeConfig({ kubeconfig: file });
  if (flags.context) {
    if (!kc.getContextObject(flags.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new ConfigError(
        `context "${flags.context}" not found in the kubeconfig (contexts: ${known.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(flags.context);
  }
  const server = kc.getCurrentCluster()?.server ?? '(no server)';
  const namespace =
    flags.namespace || kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
  const clients = makeClients(kc, { userAgent: 'kubectl-fastflow' });
  const client = new FastflowClient(clients, { namespace, userAgent: 'kubectl-fastflow' });
  return { client, clients, namespace, server };
}

/** An object name given on the command line; a malformed one is a usage error. */
export function checkName(what: string, value: string): string {
  const r = ObjectName.safeParse(value);
  if (!r.success) {
    throw new UsageError(
      `${what} ${JSON.stringify(value)} is not a valid name: ${r.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  return value;
}
