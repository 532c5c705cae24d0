import { WorkerConfig } from '../../operator/api/config.ts';
import { loadConfig, uniqueProcessName } from '../../operator/config/load.ts';
import { loadKubeConfig, makeClients } from '../../operator/kube/client.ts';
import { createLogger } from '../../operator/log.ts';
import { serveObservability } from '../../operator/observability/http-server.ts';
import { KubeRequestMetrics, createRegistry } from '../../operator/observability/metrics.ts';
import type { Action } from '../sdk/action.ts';
import { builtinActions } from '../sdk/builtins.ts';
import { ActionRegistry } from '../sdk/registry.ts';
import { startWorker, type RunningWorker } from './worker.ts';

export interface RunWorkerOptions {
  /** Your actions; the built-in ones (docs/builtin-actions.md) are always registered too. */
  actions?: readonly Action<unknown>[];
  /** Settings; unset ones come from `FASTFLOW_*` environment variables, then defaults. */
  config?: Partial<Record<keyof WorkerConfig, unknown>>;
  /** Exit the process on SIGTERM/SIGINT after a graceful stop, and when the Lease is lost (default true). */
  handleSignals?: boolean;
}

/**
 * The one call a worker program makes (fastflow's RegisterAction + Start):
 * registers the actions, validates the configuration, serves /metrics,
 * /healthz and /readyz on `metricsPort`, connects, and runs until stopped.
 */
export async function runWorker(opts: RunWorkerOptions = {}): Promise<RunningWorker> {
  const input = { ...opts.config };
  input.name = uniqueProcessName(
    typeof input.name === 'string' ? input.name : process.env['FASTFLOW_NAME'],
  );
  const config = loadConfig(WorkerConfig, input);
  const log = createLogger(config.logLevel, { worker: config.name });
  const metrics = createRegistry();
  const clients = makeClients(loadKubeConfig({ kubeconfig: config.kubeconfig }), {
    userAgent: `fastflow-worker/${config.name}`,
    onResponse: new KubeRequestMetrics(metrics).onResponse,
  });
  const registry = new ActionRegistry().register(
    ...builtinActions(clients),
    ...(opts.actions ?? []),
  );
  let started: RunningWorker | undefined;
  const server =
    config.metricsPort > 0
      ? await serveObservability({
          port: config.metricsPort,
          registry: metrics,
          notReady: () => started?.notReady() ?? ['starting'],
          log: log.child({ component: 'observability' }),
        })
      : undefined;
  try {
    started = await startWorker(config, registry, clients, log, { metrics });
  } catch (e) {
    await server?.close();
    throw e;
  }
  const inner = started;
  const worker: RunningWorker = {
    ...inner,
    async stop() {
      await inner.stop();
      await server?.close();
    },
  };
  if (opts.handleSignals ?? true) {
    const stop = (): void => {
      log.info('stopping: draining running tasks');
      void worker.stop().then(() => process.exit(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    void worker.lost.then(() => process.exit(1));
  }
  return worker;
}
