import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptOf } from '../../test/support/builtin-actions.ts';
import { httpAction } from './http-action.ts';

const SECRET = 's3cr3t-token';
const secrets: Record<string, Record<string, string>> = {
  api: { token: SECRET, basic: 'ada:pw', newline: `${SECRET}\n`, broken: 'a\nb' },
};
const core = {
  readNamespacedSecret: ({ name }: { name: string }) => {
    const data = secrets[name];
    if (!data) return Promise.reject(new Error('no such secret'));
    const encoded = Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]);
    return Promise.resolve({ data: Object.fromEntries(encoded) });
  },
} as unknown as CoreV1Api;
const http = httpAction(core);

let server: Server;
let base: string;
const seen: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/json') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: 7, auth: req.headers.authorization ?? null }));
    } else if (url.pathname === '/big') res.end('x'.repeat(10_000));
    else if (url.pathname === '/hang') res.write('started');
    else res.writeHead(Number(url.pathname.slice(1)) || 200).end('said no');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('http: requests and outputs', () => {
  it('returns the status and a JSON body as a value', async () => {
    const { outcome, traces } = await attemptOf(http, { url: `${base}/json?token=q` });
    expect(outcome).toEqual({
      event: 'AttemptSucceeded',
      output: {
        statusCode: 200,
        reasonPhrase: 'OK',
        contentType: 'application/json',
        body: { id: 7, auth: null },
        truncated: false,
      },
    });
    // The query string (which may carry a token) is not traced.
    expect(traces).toEqual([`GET ${base}/json → 200 OK (20 bytes)`]);
  });

  it('cuts a large body at maxResponseBytes and says so', async () => {
    const { outcome } = await attemptOf(http, { url: `${base}/big`, maxResponseBytes: 100 });
    expect(outcome).toMatchObject({
      event: 'AttemptSucceeded',
      output: { body: 'x'.repeat(100), truncated: true },
    });
  });

  it('sends a JSON body with its content type', async () => {
    seen.length = 0;
    await attemptOf(http, { url: `${base}/json`, method: 'POST', body: { a: 1 } });
    expect(seen[0]?.headers['content-type']).toBe('application/json');
  });

  it('fails a 5xx, 429 and a timeout as retryable, a 4xx as not', async () => {
    const outcome = async (p: object): Promise<unknown> => (await attemptOf(http, p)).outcome;
    expect(await outcome({ url: `${base}/503` })).toMatchObject({
      reason: 'ActionFailed',
      message: `GET ${base}/503 answered 503 Service Unavailable: said no`,
    });
    expect(await outcome({ url: `${base}/429` })).toMatchObject({ reason: 'ActionFailed' });
    expect(await outcome({ url: `${base}/404` })).toMatchObject({ reason: 'NonRetryable' });
    expect(await outcome({ url: `${base}/hang`, timeoutSeconds: 0.2 })).toMatchObject({
      reason: 'ActionFailed',
      message: `GET ${base}/hang: no complete answer within 0.2s`,
    });
    expect(await outcome({ url: `${base}/404`, expectedStatus: [404] })).toMatchObject({
      event: 'AttemptSucceeded',
    });
    expect(await outcome({ url: `${base}/200`, expectedStatus: [201] })).toMatchObject({
      reason: 'NonRetryable',
    });
  });

  it('stops the request when the attempt is aborted', async () => {
    const abort = new AbortController();
    const running = attemptOf(http, { url: `${base}/hang` }, { signal: abort.signal });
    abort.abort(new Error('canceled'));
    expect((await running).outcome).toMatchObject({ reason: 'Aborted' });
  });
});

describe('http: credentials from Secrets', () => {
  const body = async (p: object): Promise<unknown> =>
    (
      (await attemptOf(http, { url: `${base}/json`, ...p })).outcome as {
        output?: { body?: unknown };
      }
    ).output?.body;

  it('sends Bearer and Basic credentials read from a Secret (trimmed)', async () => {
    expect(
      await body({ auth: { scheme: 'Bearer', secretRef: { name: 'api', key: 'token' } } }),
    ).toEqual({ id: 7, auth: `Bearer ${SECRET}` });
    expect(
      await body({ auth: { scheme: 'Bearer', secretRef: { name: 'api', key: 'newline' } } }),
    ).toEqual({ id: 7, auth: `Bearer ${SECRET}` });
    expect(
      await body({ auth: { scheme: 'Basic', secretRef: { name: 'api', key: 'basic' } } }),
    ).toEqual({ id: 7, auth: `Basic ${Buffer.from('ada:pw').toString('base64')}` });
    expect(
      await body({
        secretHeaders: { Authorization: { secretRef: { name: 'api', key: 'token' } } },
      }),
    ).toEqual({ id: 7, auth: SECRET });
  });

  it('fails without retry on a missing key or an unusable value, never quoting it', async () => {
    const missing = await attemptOf(http, {
      url: `${base}/json`,
      auth: { scheme: 'Bearer', secretRef: { name: 'api', key: 'nope' } },
    });
    expect(missing.outcome).toMatchObject({
      reason: 'NonRetryable',
      message: 'Secret ns/api has no key "nope"',
    });
    const broken = await attemptOf(http, {
      url: `${base}/json`,
      secretHeaders: { 'X-Key': { secretRef: { name: 'api', key: 'broken' } } },
    });
    expect(broken.outcome).toMatchObject({ reason: 'NonRetryable' });
    expect((broken.outcome as { message: string }).message).toContain('not a valid value');
    expect((broken.outcome as { message: string }).message).not.toContain('a\nb');
  });
});

describe('http: rejected params name the field', () => {
  const ref = { name: 'api', key: 'token' };
  it.each([
    [{}, 'params.url'],
    [{ url: 'ftp://h/x' }, 'params.url: must be an http:// or https:// URL'],
    [{ url: 'https://u:p@h/' }, 'params.url: must not carry credentials'],
    [{ url: 'https://h/', method: 'TRACE' }, 'params.method'],
    [{ url: 'https://h/', headers: { Authorization: 'x' } }, 'params.headers: credentials'],
    [{ url: 'https://h/', headers: { cookie: 'x' } }, 'params.headers: credentials'],
    [{ url: 'https://h/', headers: { 'bad name': 'x' } }, 'params.headers'],
    [{ url: 'https://h/', body: 'x' }, 'params.body: a GET request has no body'],
    [
      {
        url: 'https://h/',
        auth: { scheme: 'Bearer', secretRef: ref },
        secretHeaders: { authorization: { secretRef: ref } },
      },
      'params.secretHeaders.Authorization: auth already sets Authorization',
    ],
    [
      { url: 'https://h/', headers: { 'X-K': 'a' }, secretHeaders: { 'x-k': { secretRef: ref } } },
      'params.secretHeaders.x-k: is also set in headers',
    ],
    [{ url: 'https://h/', auth: { scheme: 'Digest', secretRef: ref } }, 'params.auth.scheme'],
    [
      { url: 'https://h/', auth: { scheme: 'Bearer', secretRef: { name: 'Bad_Name', key: 'k' } } },
      'params.auth.secretRef.name',
    ],
    [{ url: 'https://h/', auth: { scheme: 'Bearer', token: 'inline' } }, 'params.auth'],
    [{ url: 'https://h/', timeoutSeconds: 0 }, 'params.timeoutSeconds'],
    [{ url: 'https://h/', expectedStatus: [99] }, 'params.expectedStatus[0]'],
    [{ url: 'https://h/', maxResponseBytes: 7000 }, 'params.maxResponseBytes'],
    [{ url: 'https://h/', password: 'x' }, 'password'],
  ])('refuses %j', async (params, named) => {
    const { outcome } = await attemptOf(http, params);
    expect(outcome).toMatchObject({ event: 'AttemptFailed', reason: 'InvalidParams' });
    expect((outcome as { message: string }).message).toContain(named);
  });
});
