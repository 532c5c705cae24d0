import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeWatchServer, reject, send, until } from '../../test/support/fake-watch-server.ts';
import { Informer, type InformerEvent, type ListOptions, type ListPage } from './informer.ts';
import { BACKOFF_MAX_MS, backoffMs } from './informer-watch.ts';
import type { KubeObject } from './types.ts';

const PATH = '/api/v1/namespaces/ns/configmaps';
const server = new FakeWatchServer();
beforeAll(() => server.listen());
afterAll(() => server.close());

const informers: Array<Informer<KubeObject>> = [];
afterEach(() => {
  for (const inf of informers.splice(0)) inf.stop();
  server.reset();
});

const nextWatch = (path = PATH) => server.nextWatch(path);

function cm(name: string, rv: string, data: Record<string, string> = {}): KubeObject {
  return { metadata: { name, namespace: 'ns', resourceVersion: rv }, data };
}

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

type Lists = Array<ListPage<unknown> | Error>;

function startInformer(
  pages: Lists,
  extra: Partial<ConstructorParameters<typeof Informer<KubeObject>>[1]> = {},
) {
  const listCalls: ListOptions[] = [];
  const events: Array<InformerEvent<KubeObject>> = [];
  const informer = new Informer<KubeObject>(server.kc, {
    path: PATH,
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
    expect(informer.keys()).toEqual(['ns/a', 'ns/b']);

    const w = await nextWatch();
    expect(w.url.pathname).toBe(PATH);
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

  it('counts consecutive HTTP errors (the backoff grows with them) and keeps retrying', async () => {
    const { logger, lines } = capturingLogger();
    startInformer([{ items: [], metadata: { resourceVersion: '3' } }], { logger });
    reject(await nextWatch(), 500, { kind: 'Status', code: 500, message: 'etcd unavailable' });
    reject(await nextWatch(), 403, { kind: 'Status', code: 403, message: 'forbidden' });
    const third = await nextWatch();
    expect(third.url.searchParams.get('resourceVersion')).toBe('3');
    const failures = lines.filter((l) => l['msg'] === 'watch failed; retrying');
    expect(failures.map((l) => l['failures'])).toEqual([1, 2]);
  });

  it('backs off exponentially with jitter, up to a cap well below a worker Lease', () => {
    for (let i = 0; i < 50; i++) {
      const first = backoffMs(1);
      expect(first).toBeGreaterThanOrEqual(100);
      expect(first).toBeLessThanOrEqual(200);
      const fourth = backoffMs(4);
      expect(fourth).toBeGreaterThanOrEqual(800);
      expect(fourth).toBeLessThanOrEqual(1600);
      const capped = backoffMs(40);
      expect(capped).toBeGreaterThanOrEqual(BACKOFF_MAX_MS / 2);
      expect(capped).toBeLessThanOrEqual(BACKOFF_MAX_MS);
    }
  });

  it('says when it loses and regains sight of the API server, on changes only', async () => {
    const sight: boolean[] = [];
    startInformer(
      [new Error('connection refused'), { items: [], metadata: { resourceVersion: '3' } }],
      { onSight: (seeing) => sight.push(seeing) },
    );
    const first = await nextWatch();
    expect(sight).toEqual([false, true]);
    reject(first, 503, { kind: 'Status', code: 503, message: 'unavailable' });
    reject(await nextWatch(), 503, { kind: 'Status', code: 503, message: 'unavailable' });
    send(await nextWatch(), 'BOOKMARK', { metadata: { resourceVersion: '4' } });
    await until(() => sight.length === 4);
    expect(sight).toEqual([false, true, false, true]);
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
    const path = '/api/v1/namespaces/stop-test/configmaps';
    const { informer } = startInformer([{ items: [], metadata: { resourceVersion: '1' } }], {
      path,
    });
    const w = await nextWatch(path);
    send(w, 'BOOKMARK', { metadata: { resourceVersion: '2' } });
    informer.stop();
    await informer.whenStopped();
    expect(server.pending('stop-test')).toHaveLength(0);

    const never = new Informer<KubeObject>(server.kc, {
      path: PATH,
      list: () => new Promise(() => {}),
    });
    never.start();
    never.stop();
    await expect(never.synced()).rejects.toThrow(/stopped before it synced/);
  });

  it('drops listed and watched objects that do not parse, and logs them', async () => {
    const { logger, lines } = capturingLogger();
    const parse = (raw: unknown): KubeObject => {
      const o = raw as KubeObject;
      if (!o['data']) throw new Error('no data');
      return o;
    };
    const bad = (name: string, rv: string): KubeObject => ({
      metadata: { name, namespace: 'ns', resourceVersion: rv },
    });
    const { informer, events } = startInformer(
      [
        {
          items: [bad('listed', '1'), cm('ok', '1', { k: 'v' })],
          metadata: { resourceVersion: '1' },
        },
      ],
      { logger, parse },
    );
    const w = await nextWatch();
    send(w, 'ADDED', bad('watched', '2'));
    send(w, 'MODIFIED', bad('ok', '3')); // the cache keeps the last object that parsed
    send(w, 'ADDED', cm('good', '4', { k: 'v' }));
    await until(() => events.length === 2);
    expect(summary(events)).toEqual(['add ns/ok', 'add ns/good']);
    expect(informer.keys().sort()).toEqual(['ns/good', 'ns/ok']);
    expect(informer.get('ns/ok')?.metadata?.resourceVersion).toBe('1');
    const dropped = lines.filter((l) => l['msg'] === 'object does not parse; ignored');
    expect(dropped.map((l) => l['key'])).toEqual(['ns/listed', 'ns/watched', 'ns/ok']);

    send(w, 'DELETED', bad('ok', '5')); // a deleted object leaves even if it no longer parses
    await until(() => events.length === 3);
    expect(events[2]).toMatchObject({ type: 'delete', key: 'ns/ok' });
    expect(informer.get('ns/ok')).toBeUndefined();
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
