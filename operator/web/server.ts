/**
 * The web view's HTTP server: the static page (static/), a JSON API over the
 * UiBackend, and the live streams. Bound to loopback by the plugin; in the
 * cluster (the chart) behind a Service. A request that would change
 * something (POST) must carry the X-Fastflow-UI header, which a page of
 * another origin cannot send without a CORS preflight this server never
 * answers; the Host header must name this server (no DNS rebinding).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';
import type { UiBackend } from './backend.ts';
import { routeApi, type ApiContext } from './routes.ts';
import { serveStatic } from './static-files.ts';
import { WatchHub } from './watch-hub.ts';

export type UiOptions = {
  address: string;
  port: number;
  /** Refuse every operation (the chart's default: its ServiceAccount only reads). */
  readOnly: boolean;
  /** Host names the page may be reached under besides the bound address and localhost. */
  allowedHosts?: string[];
};

export type RunningUi = { url: string; server: Server; hub: WatchHub; close: () => Promise<void> };

export const UI_HEADER = 'x-fastflow-ui';

/** A Host header this server answers: loopback names, the bound address, or an allowed host. */
export function hostAllowed(host: string | undefined, opts: UiOptions): boolean {
  if (host === undefined) return false;
  const name = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  if (opts.address === '0.0.0.0' || opts.address === '::') {
    // In the cluster: reached through a Service, an Ingress or port-forward under any name.
    return (opts.allowedHosts ?? []).length === 0 || (opts.allowedHosts ?? []).includes(name);
  }
  return ['localhost', '127.0.0.1', '::1', opts.address, ...(opts.allowedHosts ?? [])].includes(
    name,
  );
}

export async function startUi(
  backend: UiBackend,
  opts: UiOptions,
  log: Logger,
): Promise<RunningUi> {
  const hub = new WatchHub(backend.clients, log);
  const ctx: ApiContext = { backend, hub, readOnly: opts.readOnly };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req.headers.host, opts)) {
      reply(res, 421, { error: `this server does not answer for host ${req.headers.host ?? ''}` });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://ui');
    if (req.method === 'POST' && req.headers[UI_HEADER] !== '1') {
      reply(res, 403, { error: `a change must carry the ${UI_HEADER} header` });
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      await routeApi(ctx, req, res, url);
      return;
    }
    if (req.method !== 'GET' || !(await serveStatic(url.pathname, res))) {
      reply(res, 404, { error: 'not found' });
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log.warn({ err: e, url: req.url }, 'web view request failed');
      if (!res.headersSent) reply(res, 500, { error: String(e) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.address, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.address.includes(':') ? `[${opts.address}]` : opts.address;
  return {
    url: `http://${host}:${port}/`,
    server,
    hub,
    close: async () => {
      hub.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
