/**
 * The built-in `http` action through the operator and a stock worker,
 * against a local node:http server: a Bearer token from a Secret, the JSON
 * answer read downstream, retries per the task policy (5xx yes, 4xx no), and
 * the token never in a trace, a status or a log line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceStore } from '../../operator/store/traces.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { docDag } from '../support/doc-examples.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

const TOKEN = 'tok-9f3b2c7d1e-never-shown';
const core = testKubeConfig().makeApiClient(CoreV1Api);
let env: FastflowEnv;
let server: Server;
let base: string;
const hits = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === '/orders') {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return res.writeHead(401).end();
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res
          .writeHead(201)
          .end(JSON.stringify({ id: 'o-1', received: JSON.parse(body) as unknown }));
      });
    } else if (path === '/flaky') {
      if (hits.get(path) === 1) res.writeHead(503).end('warming up');
      else res.end('ready');
    } else res.writeHead(404).end('no such thing');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  env = new FastflowEnv(await createTestNamespace('builtin-http'));
  await core.createNamespacedSecret({
    namespace: env.namespace,
    body: { metadata: { name: 'orders-api' }, stringData: { token: TOKEN } },
  });
  env.startOperator('operator-a');
  // Debug level: every trace line also goes to the log, which must not hold the token either.
  env.startWorker('worker', { env: { FASTFLOW_LOG_LEVEL: 'debug' } });
});
afterAll(async () => {
  await env.stop();
  server.closeAllConnections();
  server.close();
});

describe('the http action', () => {
  it('runs the example of docs/builtin-actions.md: a token from a Secret, the JSON answer read downstream', async () => {
    await env.createDag('order', docDag('builtin-actions.md', 'create-order'));
    await env.createInstance('order-1', 'order', { baseUrl: base, item: 'pen' });
    const done = await env.finished('order-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['create']?.output).toEqual({
      statusCode: 201,
      reasonPhrase: 'Created',
      contentType: 'application/json',
      body: { id: 'o-1', received: { item: 'pen' } },
      truncated: false,
    });
    expect(done.status?.tasks?.['confirm']?.params).toEqual({ order: 'o-1' });
    expect(JSON.stringify(done)).not.toContain(TOKEN);
  });

  it('retries a 503 under the retry policy, and fails a 404 at once', async () => {
    await env.createDag('calls', {
      tasks: [
        { id: 'flaky', actionName: 'http', retry: { limit: 2 }, params: { url: `${base}/flaky` } },
        { id: 'missing', actionName: 'http', retry: { limit: 3 }, params: { url: `${base}/nope` } },
      ],
    });
    await env.createInstance('calls-1', 'calls');
    const done = await env.finished('calls-1');
    expect(done.status?.tasks?.['flaky']).toMatchObject({ phase: 'Succeeded', attempt: 2 });
    expect(done.status?.tasks?.['flaky']?.history?.[0]?.message).toBe(
      `GET ${base}/flaky answered 503 Service Unavailable: warming up`,
    );
    expect(done.status?.tasks?.['missing']).toMatchObject({
      phase: 'Failed',
      reason: 'NonRetryable',
      attempt: 1,
      message: `GET ${base}/nope answered 404 Not Found: no such thing`,
    });
  });

  it('fails a task whose Secret is missing, naming it, without retrying', async () => {
    await env.createDag('no-secret', {
      tasks: [
        {
          id: 'call',
          actionName: 'http',
          retry: { limit: 3 },
          params: {
            url: `${base}/orders`,
            auth: { scheme: 'Bearer', secretRef: { name: 'absent', key: 'token' } },
          },
        },
      ],
    });
    await env.createInstance('no-secret-1', 'no-secret');
    const done = await env.finished('no-secret-1');
    expect(done.status?.tasks?.['call']).toMatchObject({
      phase: 'Failed',
      reason: 'NonRetryable',
      attempt: 1,
      message: `Secret ${env.namespace}/absent not found`,
    });
  });

  it('never writes the token to a trace or a log', async () => {
    const traces = await new TraceStore(core).read({ namespace: env.namespace, name: 'order-1' });
    expect(traces.map((t) => t.task).sort()).toEqual(['confirm', 'create']);
    expect(JSON.stringify(traces)).toContain('POST');
    expect(JSON.stringify(traces)).not.toContain(TOKEN);
    const logs = readdirSync(env.logs).map((f) => readFileSync(join(env.logs, f), 'utf8'));
    expect(logs.join('\n')).toContain('/orders');
    expect(logs.join('\n')).not.toContain(TOKEN);
  });
});
