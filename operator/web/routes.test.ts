/**
 * What the web view's server refuses, and how: each bad request gets a
 * status and a message a person can act on, never a crash or a hang. The
 * backend is a stub: no request here reaches a cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClients } from '../kube/client.ts';
import { KubeApiError } from '../kube/errors.ts';
import { silentLogger } from '../log.ts';
import { HttpError, type OperationRequest, type UiBackend } from './backend.ts';
import { startUi, type RunningUi } from './server.ts';

const asked: OperationRequest[] = [];
const backend: UiBackend = {
  clients: {} as KubeClients,
  namespace: 'default',
  namespaces: () => Promise.resolve(['default']),
  dags: (ns) =>
    ns === 'secret'
      ? Promise.reject(new KubeApiError(403, 'Forbidden', 'dags is forbidden'))
      : Promise.resolve([]),
  instance: (_ns, name) => Promise.reject(new HttpError(404, `dagi "${name}" not found`)),
  whole: (i) => Promise.resolve(i),
  graph: () => Promise.resolve({ problem: 'none' }),
  traces: () => Promise.resolve([]),
  operate: (_ns, _name, r) => {
    asked.push(r);
    return Promise.resolve(
      r.op === 'resume' ? { refused: 'not paused' } : { applied: true, message: 'ok' },
    );
  },
  describe: (e) => ({ status: 500, message: e instanceof Error ? e.message : String(e) }),
};

let ui: RunningUi;
beforeAll(async () => {
  ui = await startUi(backend, { address: '127.0.0.1', port: 0, readOnly: false }, silentLogger());
});
afterAll(() => ui.close());

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${ui.url}${path}`, {
    method: 'POST',
    headers: { 'x-fastflow-ui': '1', 'content-type': 'application/json', ...headers },
    body,
  });
const answer = async (r: Promise<Response>) => {
  const res = await r;
  return { status: res.status, body: (await res.json()) as { error?: string } };
};
const OPS = 'api/namespaces/default/instances/run-1/operations';

describe('the web view server refuses', () => {
  it('a change without its header (another site posting to localhost)', async () => {
    const res = await fetch(`${ui.url}${OPS}`, { method: 'POST', body: '{"op":"cancel"}' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/x-fastflow-ui/);
  });

  it('a Host header that is not its own (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${ui.url}api/config`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  it('malformed names, bodies and operations, each with its reason', async () => {
    expect(await answer(fetch(`${ui.url}api/namespaces/Bad_NS/dags`))).toEqual({
      status: 400,
      body: { error: 'namespace "Bad_NS" is not a name' },
    });
    expect(await answer(post(OPS, 'not json'))).toEqual({
      status: 400,
      body: { error: 'the request body is not JSON' },
    });
    expect(await answer(post(OPS, '{"tasks":[]}'))).toEqual({
      status: 400,
      body: { error: 'the request names no operation ("op")' },
    });
    expect((await answer(post(OPS, 'x'.repeat(70_000)))).status).toBe(413);
    expect(await answer(fetch(`${ui.url}api/nothing`))).toEqual({
      status: 404,
      body: { error: 'no GET /api/nothing' },
    });
    expect((await fetch(`${ui.url}../../etc/passwd`)).status).toBe(404);
  });

  it("the cluster's answers: Forbidden, NotFound, and the operator's refusal", async () => {
    expect(await answer(fetch(`${ui.url}api/namespaces/secret/dags`))).toEqual({
      status: 403,
      body: { error: 'dags is forbidden' },
    });
    expect(
      (await answer(fetch(`${ui.url}api/namespaces/default/instances/gone/layout`))).status,
    ).toBe(404);
    expect(await answer(post(OPS, '{"op":"resume"}'))).toEqual({
      status: 409,
      body: { error: 'not paused' },
    });
    expect(await answer(post(OPS, '{"op":"cancel","tasks":["a"]}'))).toEqual({
      status: 200,
      body: { applied: true, message: 'ok' },
    });
    expect(asked.at(-1)).toEqual({ op: 'cancel', tasks: ['a'] });
  });

  it('every operation when read-only', async () => {
    const ro = await startUi(
      backend,
      { address: '127.0.0.1', port: 0, readOnly: true },
      silentLogger(),
    );
    try {
      const res = await fetch(`${ro.url}${OPS}`, {
        method: 'POST',
        headers: { 'x-fastflow-ui': '1' },
        body: '{"op":"cancel"}',
      });
      expect(res.status).toBe(403);
      expect(await (await fetch(`${ro.url}api/config`)).json()).toEqual({
        namespace: 'default',
        readOnly: true,
      });
    } finally {
      await ro.close();
    }
  });
});
