/**
 * Prometheus metrics shared by every fastflow process: one registry per
 * process (never prom-client's global one, so two operators in one test
 * process do not collide), Node's default process metrics, and the
 * Kubernetes API requests made through `makeClients`. docs/metrics.md lists
 * every metric; labels are bounded sets, never object names.
 */
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

export { Registry };

/** Every fastflow metric name starts with it, the default process metrics too. */
export const METRIC_PREFIX = 'fastflow_';

/** HTTP methods the client uses: pre-initialised so `rate()` has a series before the first call. */
export const KUBE_VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/**
 * Response codes pre-initialised for every verb: success, and the answers
 * fastflow handles on purpose (404 gone, 409 conflict, 422 fenced, 429
 * throttled) or alerts on (5xx, `error`: no answer at all). Other codes
 * appear when they happen.
 */
export const KUBE_CODES = [
  '200',
  '201',
  '404',
  '409',
  '422',
  '429',
  '500',
  '503',
  'error',
] as const;

/** A process's registry, with Node's default metrics (CPU, memory, event loop, GC) prefixed. */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

/** `fastflow_kube_requests_total{verb, code}`, fed by `makeClients`' `onResponse` hook. */
export class KubeRequestMetrics {
  readonly #requests: Counter<'verb' | 'code'>;

  constructor(registry: Registry) {
    this.#requests = new Counter({
      name: `${METRIC_PREFIX}kube_requests_total`,
      help: 'Kubernetes API requests by HTTP method and response code ("error": no response).',
      labelNames: ['verb', 'code'],
      registers: [registry],
    });
    for (const verb of KUBE_VERBS) {
      for (const code of KUBE_CODES) this.#requests.inc({ verb, code }, 0);
    }
  }

  /** Pass as `makeClients(kc, { onResponse })`. */
  readonly onResponse = (verb: string, code: number | 'error'): void => {
    this.#requests.inc({ verb: verb.toUpperCase(), code: String(code) });
  };
}
