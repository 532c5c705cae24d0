import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { InformerCache, type InformerEvent } from './informer-cache.ts';
import type { KubeObject } from './types.ts';

function cm(name: string, rv: string): KubeObject {
  return { metadata: { name, namespace: 'ns', resourceVersion: rv } };
}

function watched(cache = new InformerCache<KubeObject>(silentLogger())) {
  const events: Array<InformerEvent<KubeObject>> = [];
  cache.onEvent((ev) => events.push(ev));
  const summary = (): string[] => events.map((e) => `${e.type} ${e.key}`);
  return { cache, events, summary };
}

describe('InformerCache', () => {
  it('emits an add, then an update only when the resourceVersion changed', () => {
    const { cache, events, summary } = watched();
    cache.upsert(cm('a', '1'));
    cache.upsert(cm('a', '1'));
    cache.upsert(cm('a', '2'));
    expect(summary()).toEqual(['add ns/a', 'update ns/a']);
    expect(events[1]?.old?.metadata?.resourceVersion).toBe('1');
    expect(cache.get('ns/a')?.metadata?.resourceVersion).toBe('2');
    expect(cache.keys()).toEqual(['ns/a']);
  });

  it('ignores an object without a name', () => {
    const { cache, summary } = watched();
    cache.upsert({ metadata: { namespace: 'ns' } });
    expect(summary()).toEqual([]);
    expect(cache.list()).toEqual([]);
  });

  it('deletes with the last known object, or the one given', () => {
    const { cache, events, summary } = watched();
    cache.upsert(cm('a', '1'));
    cache.delete('ns/a');
    cache.delete('ns/a'); // already gone: nothing to tell
    cache.delete('ns/b', cm('b', '5')); // never cached, but the watch says what it was
    expect(summary()).toEqual(['add ns/a', 'delete ns/a', 'delete ns/b']);
    expect(events[1]?.obj.metadata?.resourceVersion).toBe('1');
    expect(cache.list()).toEqual([]);
  });

  it('replace: deletes the vanished, updates the changed, adds the new', () => {
    const { cache, summary } = watched();
    for (const o of [cm('a', '1'), cm('b', '2'), cm('c', '3')]) cache.upsert(o);
    cache.replace([cm('a', '1'), cm('b', '7'), cm('d', '8')]);
    expect(summary().slice(3)).toEqual(['delete ns/c', 'update ns/b', 'add ns/d']);
    expect(cache.list().map((o) => o.metadata?.name)).toEqual(['a', 'b', 'd']);
  });

  it('resync tells every cached object again', () => {
    const { cache, summary } = watched();
    cache.upsert(cm('a', '1'));
    cache.upsert(cm('b', '2'));
    cache.resync();
    expect(summary().slice(2)).toEqual(['resync ns/a', 'resync ns/b']);
  });

  it('logs a throwing or rejecting handler instead of crashing, and tells the others', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'error' }, { write: (s: string) => lines.push(JSON.parse(s)) });
    const cache = new InformerCache<KubeObject>(logger);
    cache.onEvent(() => {
      throw new Error('sync boom');
    });
    // An async handler is exactly the mistake this guards against.
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    cache.onEvent(() => Promise.reject(new Error('async boom')));
    const { summary } = watched(cache);
    cache.upsert(cm('a', '1'));
    expect(summary()).toEqual(['add ns/a']);
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => (l['err'] as { message: string }).message).sort()).toEqual([
      'async boom',
      'sync boom',
    ]);
    expect(lines[0]).toMatchObject({ key: 'ns/a', event: 'add' });
  });
});
