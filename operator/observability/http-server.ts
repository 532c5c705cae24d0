import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.ts';

/** The port cannot be bound; the message says which setting to change. */
export class ListenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ListenError';
  }
}

export interface ObservabilityServerOptions {
  /** The port to listen on, on every interface (0: any free port, for tests). */
  port: number;
  registry: Registry;
  /**
   * What the process still waits for before it can do its work (empty:
   * ready). /readyz answers 503 with this list until it is empty.
   */
  notReady: () => readonly string[];
  log: Logger;
}

export interface ObservabilityServer {
  /** The port actually bound. */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * One small HTTP server per process, as controller-runtime's manager has:
 * - `/metrics`: the registry in Prometheus text format;
 * - `/healthz`: 200 while the process answers at all (a liveness probe);
 * - `/readyz`: 200 once `notReady()` is empty, else 503 saying what is missing.
 * It starts before the process connects anything, so probes answer during
 * start-up. A port that cannot be bound is a `ListenError`: the process
 * should stop rather than run without its probes.
 */
export function serveObservability(opts: ObservabilityServerOptions): Promise<ObservabilityServer> {
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((e: unknown) => {
      opts.log.warn({ err: e, path: req.url }, 'observability request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        new ListenError(
          `cannot serve /metrics, /healthz and /readyz on port ${opts.port}: ${e.code ?? e.message}; ` +
            'set --metrics-port (FASTFLOW_METRICS_PORT) to a free port, or 0 to turn the server off',
          { cause: e },
        ),
      );
    });
    server.listen(opts.port, () => {
      const port = (server.address() as AddressInfo).port;
      server.on('error', (e) => opts.log.error({ err: e }, 'observability server error'));
      opts.log.info({ port }, 'serving /metrics, /healthz and /readyz');
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  opts: ObservabilityServerOptions,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    reply(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    return;
  }
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  switch (path) {
    case '/metrics':
      reply(res, 200, await opts.registry.metrics(), {
        'content-type': opts.registry.contentType,
      });
      return;
    case '/healthz':
      reply(res, 200, 'ok\n');
      return;
    case '/readyz': {
      const missing = opts.notReady();
      if (missing.length === 0) reply(res, 200, 'ok\n');
      else reply(res, 503, `not ready: ${missing.join('; ')}\n`);
      return;
    }
    default:
      reply(res, 404, 'not found: try /metrics, /healthz or /readyz\n');
  }
}

function reply(
  res: ServerResponse,
  code: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
