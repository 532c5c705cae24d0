import { request } from 'node:http';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { ListenError, serveObservability, type ObservabilityServer } from './http-server.ts';

const open: ObservabilityServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function serve(notReady: () => string[] = () => []): Promise<ObservabilityServer> {
  const registry = new Registry();
  new Counter({ name: 'fastflow_test_total', help: 'a test counter', registers: [registry] }).inc(
    3,
  );
  const server = await serveObservability({ port: 0, registry, notReady, log: silentLogger() });
  open.push(server);
  return server;
}

function get(
  port: number,
  path: string,
  method = 'GET',
  fresh = false,
): Promise<{ code: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    // The default agent keeps connections alive; `fresh` opens a new one.
    const agent = fresh ? false : undefined;
    const req = request({ host: '127.0.0.1', port, path, method, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({ code: res.statusCode ?? 0, body, type: res.headers['content-type'] ?? '' }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveObservability', () => {
  it('serves the registry on /metrics in Prometheus text format', async () => {
    const { port } = await serve();
    const res = await get(port, '/metrics');
    expect(res.code).toBe(200);
    expect(res.type).toContain('text/plain');
    expect(res.body).toContain('# HELP fastflow_test_total a test counter');
    expect(res.body).toContain('fastflow_test_total 3');
  });

  it('answers /healthz while alive, and /readyz only once nothing is missing', async () => {
    let missing = ['informer not synced', 'heartbeat Lease not held'];
    const { port } = await serve(() => missing);
    expect((await get(port, '/healthz')).code).toBe(200);
    const waiting = await get(port, '/readyz');
    expect(waiting).toMatchObject({ code: 503 });
    expect(waiting.body).toBe('not ready: informer not synced; heartbeat Lease not held\n');
    missing = [];
    expect(await get(port, '/readyz?verbose')).toMatchObject({ code: 200, body: 'ok\n' });
  });

  it('answers 404 for other paths, 405 for other methods, and HEAD without a body', async () => {
    const { port } = await serve();
    expect((await get(port, '/nope')).code).toBe(404);
    expect((await get(port, '/metrics', 'POST')).code).toBe(405);
    expect(await get(port, '/healthz', 'HEAD')).toMatchObject({ code: 200, body: '' });
  });

  it('answers 500, and keeps serving, when reading the registry fails', async () => {
    const registry = new Registry();
    new Counter({
      name: 'fastflow_broken_total',
      help: 'collect throws',
      registers: [registry],
      collect() {
        throw new Error('cache gone');
      },
    });
    const server = await serveObservability({
      port: 0,
      registry,
      notReady: () => [],
      log: silentLogger(),
    });
    open.push(server);
    expect((await get(server.port, '/metrics')).code).toBe(500);
    expect((await get(server.port, '/healthz')).code).toBe(200);
  });

  it('refuses a port in use with a ListenError naming the setting', async () => {
    const { port } = await serve();
    const second = serveObservability({
      port,
      registry: new Registry(),
      notReady: () => [],
      log: silentLogger(),
    });
    await expect(second).rejects.toBeInstanceOf(ListenError);
    await expect(second).rejects.toThrow(/port \d+: EADDRINUSE; set --metrics-port/);
  });

  it('closes even with a keep-alive connection open', async () => {
    const server = await serveObservability({
      port: 0,
      registry: new Registry(),
      notReady: () => [],
      log: silentLogger(),
    });
    await get(server.port, '/healthz'); // leaves an idle keep-alive connection
    await server.close(); // would hang until the client let go without closeAllConnections
    await expect(get(server.port, '/healthz', 'GET', true)).rejects.toThrow(/ECONNREFUSED/);
  });
});
