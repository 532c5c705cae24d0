/**
 * Errors the plugin reports as one line on stderr with an exit code, never as
 * a stack trace: 1 for a failure, 2 for a usage error (bad flag or argument).
 */
import { FastflowClientError } from '../../actions-runtime/client/client.ts';
import { ConfigError } from '../kube/client.ts';
import { KubeApiError } from '../kube/errors.ts';

export class PluginError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'PluginError';
    this.exitCode = exitCode;
  }
}

export class UsageError extends PluginError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** How to point the plugin at a cluster, for the no-kubeconfig message. */
export const NO_CLUSTER_HINT =
  'no cluster configured: pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config ' +
  '(for a local cluster: `node hack/local-cluster.ts` prints the KUBECONFIG to export)';

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
};

/** The chain of `cause`s of an error, itself first. */
function causes(e: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let c: unknown = e; c !== undefined && c !== null && chain.length < 8;) {
    chain.push(c);
    c = c instanceof Error ? c.cause : undefined;
  }
  return chain;
}

function codeOf(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  return typeof e.code === 'string' ? e.code : undefined;
}

/** A network or TLS failure reaching the API server, in words; undefined for other errors. */
export function networkProblem(e: unknown): string | undefined {
  for (const c of causes(e)) {
    const code = codeOf(c);
    if (code && NETWORK_CODES[code]) return NETWORK_CODES[code];
    if (code && /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
      return `TLS error: ${c instanceof Error ? c.message : code}`;
    }
    if (c instanceof Error && (c.name === 'TimeoutError' || c.name === 'AbortError')) {
      return 'no answer in time';
    }
  }
  const top = e instanceof Error ? e : undefined;
  if (top?.message === 'fetch failed') {
    const inner = causes(e)[1];
    return inner instanceof Error ? inner.message : 'request failed';
  }
  return undefined;
}

/**
 * The line to print for an error and the exit code. `server` is the API
 * server address the plugin used, named when it could not be reached.
 */
export function describeError(e: unknown, server?: string): { message: string; exitCode: number } {
  if (e instanceof PluginError) return { message: e.message, exitCode: e.exitCode };
  if (e instanceof ConfigError) {
    const message = /^no cluster configuration/.test(e.message) ? NO_CLUSTER_HINT : e.message;
    return { message, exitCode: 1 };
  }
  if (e instanceof FastflowClientError) {
    const message = e.reason === 'Refused' ? `refused by the operator: ${e.message}` : e.message;
    return { message, exitCode: 1 };
  }
  if (e instanceof KubeApiError) {
    const hint =
      e.code === 401
        ? ' (the credentials of the kubeconfig were not accepted)'
        : e.code === 403
          ? ' (your user lacks RBAC permission for this)'
          : '';
    return { message: `${e.message}${hint} (HTTP ${e.code} ${e.reason})`, exitCode: 1 };
  }
  const network = networkProblem(e);
  if (network !== undefined) {
    const where = server ? ` at ${server}` : '';
    return {
      message:
        `cannot reach the Kubernetes API server${where}: ${network} ` +
        '(is the cluster running, and is --kubeconfig / KUBECONFIG the right one?)',
      exitCode: 1,
    };
  }
  return { message: e instanceof Error ? e.message : String(e), exitCode: 1 };
}
