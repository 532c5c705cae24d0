import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadKubeConfig, makeClients, requestOptions } from './client.ts';
import { isNotFound } from './errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'fastflow-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfigYaml(server: string, caData = ''): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: c\n  cluster:\n    server: ${server}`,
    ...(caData ? [`    certificate-authority-data: ${caData}`] : []),
    'users:',
    '- name: u\n  user:\n    token: secret-token',
    'contexts:',
    '- name: ctx\n  context:\n    cluster: c\n    user: u',
    'current-context: ctx',
    '',
  ].join('\n');
}

function writeConfig(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('loadKubeConfig', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('prefers the explicit path over $KUBECONFIG', () => {
    const explicit = writeConfig('explicit', kubeconfigYaml('https://explicit:6443'));
    const fromEnv = writeConfig('env', kubeconfigYaml('https://env:6443'));
    vi.stubEnv('KUBECONFIG', fromEnv);
    const kc = loadKubeConfig({ kubeconfig: explicit });
    expect(kc.getCurrentCluster()?.server).toBe('https://explicit:6443');
  });

  it('uses the first path of $KUBECONFIG', () => {
    const first = writeConfig('first', kubeconfigYaml('https://first:6443'));
    const second = writeConfig('second', kubeconfigYaml('https://second:6443'));
    vi.stubEnv('KUBECONFIG', `${first}${delimiter}${second}`);
    expect(loadKubeConfig({}).getCurrentCluster()?.server).toBe('https://first:6443');
  });

  it('falls back to the in-cluster config when KUBERNETES_SERVICE_HOST is set', () => {
    vi.stubEnv('KUBECONFIG', '');
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '10.0.0.1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', '443');
    expect(loadKubeConfig({}).getCurrentCluster()?.server).toBe('https://10.0.0.1:443');
  });

  it('throws a ConfigError instead of defaulting to localhost:8080', () => {
    vi.stubEnv('KUBECONFIG', '');
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
    expect(() => loadKubeConfig({})).toThrow(ConfigError);
    expect(() => loadKubeConfig({})).toThrow(/--kubeconfig/);
  });

  it('throws a ConfigError for a missing file or one without a current context', () => {
    expect(() => loadKubeConfig({ kubeconfig: join(dir, 'nope') })).toThrow(ConfigError);
    const noContext = writeConfig(
      'no-context',
      kubeconfigYaml('https://x:6443').replace('current-context: ctx', ''),
    );
    expect(() => loadKubeConfig({ kubeconfig: noContext })).toThrow(/no current context/);
  });
});

describe('makeClients transport', () => {
  let server: Server;
  let kc: KubeConfig;
  let tlsConnections = 0;
  const userAgents: string[] = [];
  const namespaceBody = JSON.stringify({
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name: 'a' },
  });

  beforeAll(async () => {
    // A self-signed certificate for 127.0.0.1: a TLS cluster is what makes
    // client-node build a new Agent per request.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'));
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      userAgents.push(req.headers['user-agent'] ?? '');
      if (req.url?.startsWith('/api/v1/namespaces/slow')) return; // never answers
      if (req.url?.startsWith('/api/v1/namespaces/missing')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', reason: 'NotFound', message: 'nope', code: 404 }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(namespaceBody);
    });
    server.on('secureConnection', () => tlsConnections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    kc = new KubeConfig();
    kc.loadFromString(kubeconfigYaml(`https://127.0.0.1:${port}`, cert.toString('base64')));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reuses one connection and sends our User-Agent', async () => {
    const responses: Array<[string, number | 'error']> = [];
    const { core, coordination } = makeClients(kc, {
      userAgent: 'fastflow-test/1',
      onResponse: (verb, code) => responses.push([verb, code]),
    });
    tlsConnections = 0;
    userAgents.length = 0;
    for (let i = 0; i < 20; i++) await core.readNamespace({ name: 'a' });
    // A second API class shares the transport, so the pool too.
    await coordination.getAPIResources().catch(() => undefined);
    // Sequential calls: undici may open a second socket while the first is
    // still being released, but never one per request.
    expect(tlsConnections).toBeLessThanOrEqual(2);
    expect(new Set(userAgents)).toEqual(new Set(['fastflow-test/1']));
    expect(responses.slice(0, 20)).toEqual(Array(20).fill(['GET', 200]));
  });

  it('(client-node without the transport opens a connection per request)', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    tlsConnections = 0;
    for (let i = 0; i < 5; i++) await core.readNamespace({ name: 'a' });
    expect(tlsConnections).toBe(5);
  });

  it('reports error statuses to onResponse and keeps the ApiException mappable', async () => {
    const responses: Array<[string, number | 'error']> = [];
    const { core } = makeClients(kc, {
      userAgent: 'x',
      onResponse: (verb, code) => responses.push([verb, code]),
    });
    const err = await core.readNamespace({ name: 'missing' }).catch((e: unknown) => e);
    expect(isNotFound(err)).toBe(true);
    expect(responses).toEqual([['GET', 404]]);
  });

  it('gives up after timeoutMs and reports an error', async () => {
    const responses: Array<[string, number | 'error']> = [];
    const { core } = makeClients(kc, {
      userAgent: 'x',
      timeoutMs: 100,
      onResponse: (verb, code) => responses.push([verb, code]),
    });
    // The slow route never answers: only the client's own deadline ends the call.
    const err = await core.readNamespace({ name: 'slow' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TimeoutError' });
    expect(responses).toEqual([['GET', 'error']]);
  });

  it('honours a shorter per-call deadline and a caller signal', async () => {
    const { core } = makeClients(kc, { userAgent: 'x' });
    const timedOut = await core
      .readNamespace({ name: 'slow' }, requestOptions({ timeoutMs: 100 }))
      .catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ name: 'TimeoutError' });

    const ac = new AbortController();
    const pending = core
      .readNamespace({ name: 'slow' }, requestOptions({ signal: ac.signal }))
      .catch((e: unknown) => e);
    ac.abort();
    expect(await pending).toMatchObject({ name: 'AbortError' });
  });
});
