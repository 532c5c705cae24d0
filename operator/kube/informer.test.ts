import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Informer, type InformerEvent, type ListOptions, type ListPage } from './informer.ts';
import type { KubeObject } from './types.ts';

// A stand-in API server for the watch side only: each watch request waits in
// `watches` until the test answers it (`send` opens the stream, `reject`
// answers with an error status). LIST goes through the injected `list`.
type PendingWatch = { url: URL; res: ServerResponse };
const DEFAULT_PATH = '/api/v1/namespaces/ns/configmaps';
let server: Server;
let kc: KubeConfig;
const watches: PendingWatch[] = [];
let arrived: Array<() => void> = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    watches.push({ url: new URL(req.url ?? '/', 'http://x'), res });
    for (const wake of arrived.splice(0)) wake();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const informers: Array<Informer<KubeObject>> = [];
afterEach(() => {
  for (const inf of informers.splice(0)) inf.stop();
  for (const w of watches.splice(0)) w.res.end();
  arrived = [];
});

// The next watch request for `path` (requests of informers stopped by an
// earlier test may still trickle in; they are skipped).
async function nextWatch(path = DEFAULT_PATH, timeoutMs = 5000): Promise<PendingWatch> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const i = watches.findIndex((w) => w.url.pathname === path);
    if (i >= 0) return watches.splice(i, 1)[0] as PendingWatch;
    if (Date.now() > end) throw new Error('no watch request arrived');
    await new Promise<void>((resolve) => {
      arrived.push(resolve);
      setTimeout(resolve, 50);
    });
  }
}

function reject(w: PendingWatch, code: number, status: object): void {
  w.res.writeHead(code, { 'content-type': 'application/json' });
  w.res.end(JSON.stringify(status));
}

function send(w: PendingWatch, type: string, object: unknown): void {
  if (!w.res.headersSent) w.res.writeHead(200, { 'content-type': 'application/json' });
  w.res.write(JSON.stringify({ type, object }) + '\n');
}

function cm(name: string, rv: string, data: Record<string, string> = {}): KubeObject {
  return { metadata: { name, namespace: 'ns', resourceVersion: rv }, data };
}

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

type Lists = Array<ListPage<KubeObject> | Error>;

function startInformer(
  pages: Lists,
  extra: Partial<ConstructorParameters<typeof Informer<KubeObject>>[1]> = {},
) {
  const listCalls: ListOptions[] = [];
  const events: Array<InformerEvent<KubeObject>> = [];
  const informer = new Informer<KubeObject>(kc, {
    path: DEFAULT_PATH,
    list: (o) => {
      listCalls.push(o);
      const page = pages.shift() ?? new Error('unexpected LIST');
      return page instanceof Error ? Promise.reject(page) : Promise.resolve(page);
    },
    ...extra,
  });
  informer.onEvent((ev) => events.push(ev));
  informers.push(informer);
  informer.start();
  return { informer, listCalls, events };
}

const summary = (events: Array<InformerEvent<KubeObject>>): string[] =>
  events.map((e) => `${e.type} ${e.key}`);

describe('Informer', () => {
  it('lists page by page, syncs, then watches from the list resourceVersion with bookmarks', async () => {
    const { informer, listCalls, events } = startInformer(
      [
        { items: [cm('a', '1')], metadata: { _continue: 'page2' } },
        { items: [cm('b', '2')], metadata: { resourceVersion: '10' } },
      ],
      { labelSelector: 'app=x', fieldSelector: 'metadata.name!=z', pageSize: 1 },
    );
    await informer.synced();
    expect(informer.hasSynced()).toBe(true);
    expect(listCalls).toEqual([
      { limit: 1, _continue: undefined, labelSelector: 'app=x', fieldSelector: 'metadata.name!=z' },
      { limit: 1, _continue: 'page2', labelSelector: 'app=x', fieldSelector: 'metadata.name!=z' },
    ]);
    expect(summary(events)).toEqual(['add ns/a', 'add ns/b']);
    expect(informer.get('ns/a')?.metadata?.resourceVersion).toBe('1');
    expect(informer.list()).toHaveLength(2);

    const w = await nextWatch();
    expect(w.url.pathname).toBe('/api/v1/namespaces/ns/configmaps');
    expect(Object.fromEntries(w.url.searchParams)).toEqual({
      watch: 'true',
      resourceVersion: '10',
      allowWatchBookmarks: 'true',
      labelSelector: 'app=x',
      fieldSelector: 'metadata.name!=z',
    });
  });

  it('applies watch events; an update with an unchanged resourceVersion is not emitted', async () => {
    const { informer, events } = startInformer([
      { items: [cm('a', '1')], metadata: { resourceVersion: '1' } },
    ]);
    const w = await nextWatch();
    send(w, 'ADDED', cm('b', '2'));
    send(w, 'MODIFIED', cm('a', '3', { k: 'v' }));
    send(w, 'MODIFIED', cm('a', '3', { k: 'v' }));
    send(w, 'DELETED', cm('b', '4'));
    await until(() => events.length === 4);
    expect(summary(events)).toEqual(['add ns/a', 'add ns/b', 'update ns/a', 'delete ns/b']);
    expect(events[2]?.old?.metadata?.resourceVersion).toBe('1');
    expect(informer.get('ns/a')?.['data']).toEqual({ k: 'v' });
    expect(informer.get('ns/b')).toBeUndefined();
  });

  it('bookmarks only advance the resourceVersion used to reconnect', async () => {
    const { events } = startInformer([{ items: [], metadata: { resourceVersion: '5' } }]);
    const w = await nextWatch();
    send(w, 'BOOKMARK', { metadata: { resourceVersion: '42' } });
    await new Promise((r) => setTimeout(r, 20));
    w.res.end();
    const again = await nextWatch();
    expect(again.url.searchParams.get('resourceVersion')).toBe('42');
    expect(events).toEqual([]);
  });

  it('relists on a 410 ERROR event: deletes the vanished, updates the changed, adds the new', async () => {
    const { informer, listCalls, events } = startInformer([
      { items: [cm('a', '1'), cm('b', '2'), cm('c', '3')], metadata: { resourceVersion: '3' } },
      { items: [cm('a', '1'), cm('b', '7'), cm('d', '8')], metadata: { resourceVersion: '9' } },
    ]);
    const w = await nextWatch();
    send(w, 'ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' });
    const again = await nextWatch();
    expect(listCalls).toHaveLength(2);
    expect(again.url.searchParams.get('resourceVersion')).toBe('9');
    expect(summary(events.slice(3))).toEqual(['delete ns/c', 'update ns/b', 'add ns/d']);
    expect(informer.list().map((o) => o.metadata?.name)).toEqual(['a', 'b', 'd']);
  });

  it('reconnects from the same resourceVersion after a failure, relists after an HTTP 410', async () => {
    const { listCalls } = startInformer([
      { items: [], metadata: { resourceVersion: '3' } },
      { items: [], metadata: { resourceVersion: '20' } },
    ]);
    const first = await nextWatch();
    send(first, 'BOOKMARK', { metadata: { resourceVersion: '3' } });
    first.res.destroy(); // connection reset
    const second = await nextWatch();
    expect(second.url.searchParams.get('resourceVersion')).toBe('3');
    expect(listCalls).toHaveLength(1);
    reject(second, 410, { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' });
    const third = await nextWatch();
    expect(listCalls).toHaveLength(2);
    expect(third.url.searchParams.get('resourceVersion')).toBe('20');
  });

  it('backs off after an HTTP error and keeps retrying', async () => {
    startInformer([{ items: [], metadata: { resourceVersion: '3' } }]);
    const first = await nextWatch();
    reject(first, 500, { kind: 'Status', code: 500, message: 'etcd unavailable' });
    const started = Date.now();
    const second = await nextWatch();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90); // 200 ms, jittered to ≥ 100 ms
    reject(second, 403, { kind: 'Status', code: 403, message: 'forbidden' });
    const third = await nextWatch();
    expect(third.url.searchParams.get('resourceVersion')).toBe('3');
  });

  it('retries a failing LIST with backoff and syncs once it succeeds', async () => {
    const { informer, listCalls } = startInformer([
      new Error('connection refused'),
      new Error('connection refused'),
      { items: [cm('a', '1')], metadata: { resourceVersion: '1' } },
    ]);
    await informer.synced();
    expect(listCalls).toHaveLength(3);
    expect(informer.get('ns/a')).toBeDefined();
  });

  it('stop() ends the watch without a reconnect and rejects a pending synced()', async () => {
    const { informer } = startInformer([{ items: [], metadata: { resourceVersion: '1' } }], {
      path: '/api/v1/namespaces/stop-test/configmaps',
    });
    const w = await nextWatch('/api/v1/namespaces/stop-test/configmaps');
    send(w, 'BOOKMARK', { metadata: { resourceVersion: '2' } });
    informer.stop();
    await new Promise((r) => setTimeout(r, 500));
    expect(watches.filter((x) => x.url.pathname.includes('stop-test'))).toHaveLength(0);

    const never = new Informer<KubeObject>(kc, {
      path: '/api/v1/namespaces/ns/configmaps',
      list: () => new Promise(() => {}),
    });
    never.start();
    never.stop();
    await expect(never.synced()).rejects.toThrow(/stopped before it synced/);
  });

  it('logs a throwing or rejecting handler instead of crashing', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'error' }, { write: (s: string) => lines.push(JSON.parse(s)) });
    const { informer } = startInformer(
      [{ items: [cm('a', '1')], metadata: { resourceVersion: '1' } }],
      { logger },
    );
    informer.onEvent(() => {
      throw new Error('sync boom');
    });
    // An async handler is exactly the mistake this guards against.
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    informer.onEvent(() => Promise.reject(new Error('async boom')));
    const w = await nextWatch();
    send(w, 'ADDED', cm('b', '2'));
    await until(() => lines.length === 2);
    expect(lines.map((l) => (l['err'] as { message: string }).message).sort()).toEqual([
      'async boom',
      'sync boom',
    ]);
  });

  it('drops watched objects that do not parse', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'error' }, { write: (s: string) => lines.push(JSON.parse(s)) });
    const { informer, events } = startInformer(
      [{ items: [], metadata: { resourceVersion: '1' } }],
      {
        logger,
        parse: (raw) => {
          const o = raw as KubeObject;
          if (!o['data']) throw new Error('no data');
          return o;
        },
      },
    );
    const w = await nextWatch();
    send(w, 'ADDED', { metadata: { name: 'bad', namespace: 'ns', resourceVersion: '2' } });
    send(w, 'ADDED', cm('good', '3', { k: 'v' }));
    await until(() => events.length === 1);
    expect(summary(events)).toEqual(['add ns/good']);
    expect(informer.get('ns/bad')).toBeUndefined();
    expect(lines[0]?.['key']).toBe('ns/bad');
  });

  it('emits resync for every cached object when resyncMs is set', async () => {
    const { events } = startInformer(
      [{ items: [cm('a', '1'), cm('b', '2')], metadata: { resourceVersion: '2' } }],
      { resyncMs: 30 },
    );
    await until(() => events.filter((e) => e.type === 'resync').length >= 4);
    expect(summary(events.filter((e) => e.type === 'resync')).slice(0, 2)).toEqual([
      'resync ns/a',
      'resync ns/b',
    ]);
  });
});
