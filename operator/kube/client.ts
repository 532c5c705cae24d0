import { delimiter } from 'node:path';
import {
  AppsV1Api,
  AuthenticationV1Api,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  createConfiguration,
  CustomObjectsApi,
  EventsV1Api,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  Observable,
  ServerConfiguration,
  wrapHttpLibrary,
  type ConfigurationOptions,
  type HttpLibrary,
  type ObservableMiddleware,
  type RequestContext,
} from '@kubernetes/client-node';

/** The kubeconfig cannot be found or is unusable; the message says what to do. */
export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/**
 * Loads the cluster configuration in an explicit order: `opts.kubeconfig`,
 * then the first path of `$KUBECONFIG`, then the in-cluster service account
 * when `KUBERNETES_SERVICE_HOST` is set. Unlike `loadFromDefault()` it never
 * falls back to `http://localhost:8080` (which fails much later as
 * ECONNREFUSED): with nothing to load it throws a `ConfigError`.
 */
export function loadKubeConfig(opts: { kubeconfig?: string }): KubeConfig {
  const kc = new KubeConfig();
  const file = opts.kubeconfig || process.env['KUBECONFIG']?.split(delimiter).find((p) => p !== '');
  if (file) {
    try {
      kc.loadFromFile(file);
    } catch (e) {
      throw new ConfigError(`cannot load kubeconfig ${file}: ${String(e)}`, { cause: e });
    }
    if (!kc.getCurrentCluster()) {
      throw new ConfigError(`kubeconfig ${file} has no current context with a cluster`);
    }
    return kc;
  }
  if (process.env['KUBERNETES_SERVICE_HOST']) {
    kc.loadFromCluster();
    return kc;
  }
  throw new ConfigError(
    'no cluster configuration: pass --kubeconfig, set KUBECONFIG, or run in a pod (KUBERNETES_SERVICE_HOST)',
  );
}

export type KubeClients = {
  kc: KubeConfig;
  custom: CustomObjectsApi;
  coordination: CoordinationV1Api;
  apps: AppsV1Api;
  /** Who the client is (SelfSubjectReview): the name a signal is sent under. */
  authentication: AuthenticationV1Api;
  batch: BatchV1Api;
  core: CoreV1Api;
  events: EventsV1Api;
};

export type TransportOptions = {
  /** Sent on every request: shows in audit logs and API priority-and-fairness. */
  userAgent: string;
  /** Deadline of one request, headers and body. Default 30 s. */
  timeoutMs?: number;
  /** Called once per request with the HTTP method and status code (or 'error'): metrics. */
  onResponse?: (verb: string, code: number | 'error') => void;
};

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * All API clients on one transport (client-node.md §7). Watches do not go
 * through it: the informer uses client-node's `Watch`, which has its own
 * connection handling.
 */
export function makeClients(kc: KubeConfig, opts: TransportOptions): KubeClients {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ConfigError('kubeconfig has no current cluster');
  const configuration = createConfiguration({
    httpApi: makeTransport(opts),
    authMethods: { default: kc },
    baseServer: new ServerConfiguration(cluster.server, {}),
    // No static middleware: the generated code reverses that array in place on
    // every call, so with more than one their order flips (§7). The User-Agent
    // is set in the transport instead.
  });
  return {
    kc,
    custom: new CustomObjectsApi(configuration),
    coordination: new CoordinationV1Api(configuration),
    apps: new AppsV1Api(configuration),
    authentication: new AuthenticationV1Api(configuration),
    batch: new BatchV1Api(configuration),
    core: new CoreV1Api(configuration),
    events: new EventsV1Api(configuration),
  };
}

type Dispatcher = ReturnType<RequestContext['getDispatcher']>;

/**
 * The transport that fixes client-node's defaults:
 * - connection reuse: the auth step builds a brand-new undici Agent for every
 *   request when the cluster has TLS options (one TLS handshake per call, ~7×
 *   slower); the first one is kept and reused, so one pool serves all calls;
 * - a per-request deadline (client-node has none; undici waits 300 s), combined
 *   with a signal a call may bring itself through `requestOptions`;
 * - our User-Agent, and a hook for request metrics (verb = HTTP method).
 * Auth headers (token refresh, exec plugins) are still computed per request;
 * TLS client certificates are those of the first request (a rotated client
 * cert file needs a new `makeClients`).
 */
export function makeTransport(opts: TransportOptions): HttpLibrary {
  const base = new IsomorphicFetchHttpLibrary();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let pinned: Dispatcher;
  return wrapHttpLibrary({
    async send(ctx) {
      pinned ??= ctx.getDispatcher();
      if (pinned) ctx.setDispatcher(pinned);
      ctx.setHeaderParam('User-Agent', opts.userAgent);
      const deadline = AbortSignal.timeout(Math.ceil(timeoutMs));
      const callSignal = ctx.getSignal();
      ctx.setSignal(callSignal ? AbortSignal.any([callSignal, deadline]) : deadline);
      const verb = ctx.getHttpMethod();
      try {
        const res = await base.send(ctx).toPromise();
        opts.onResponse?.(verb, res.httpStatusCode);
        return res;
      } catch (e) {
        opts.onResponse?.(verb, 'error');
        throw e;
      }
    },
  });
}

/**
 * Per-call options: a shorter deadline than the transport's (lease calls must
 * give up within renewDeadline/2) and/or a signal that cancels the call. Works
 * with clients from `makeClients` and from `kc.makeApiClient` alike, and
 * composes: `requestOptions({ timeoutMs: 5000 }, mergePatchOptions)`.
 */
export function requestOptions(
  o: { timeoutMs?: number; signal?: AbortSignal },
  opt?: ConfigurationOptions,
): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre(ctx) {
      // Built per request, so the deadline counts from the request, not from
      // when the options object was made.
      const signals = [
        ...(o.timeoutMs !== undefined ? [AbortSignal.timeout(Math.ceil(o.timeoutMs))] : []),
        ...(o.signal ? [o.signal] : []),
      ];
      if (signals.length > 0) ctx.setSignal(AbortSignal.any(signals));
      return new Observable(Promise.resolve(ctx));
    },
    post(res) {
      return new Observable(Promise.resolve(res));
    },
  };
  return {
    ...opt,
    middleware: [...(opt?.middleware ?? []), middleware],
    middlewareMergeStrategy: 'append',
  };
}
