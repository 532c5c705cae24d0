import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DagInstance } from '../api/objects.ts';
import { serializedBytes } from './cache-trim.ts';
import type { KubeClients } from './client.ts';
import { collectionInformer, instanceInformer } from './custom-informers.ts';
import { FakeWatchServer, send, until } from '../../test/support/fake-watch-server.ts';
import type { InformerEvent } from './informer.ts';
import type { KubeObject } from './types.ts';

const server = new FakeWatchServer();
beforeAll(() => server.listen());
afterAll(() => server.close());

const started: Array<{ stop(): void }> = [];
afterEach(() => {
  for (const inf of started.splice(0)) inf.stop();
  server.reset();
});

function instance(name: string, rv: string, extra: Partial<DagInstance> = {}): DagInstance {
  return {
    apiVersion: 'fastflow.io/v1alpha1',
    kind: 'DagInstance',
    metadata: { name, namespace: 'team-a', resourceVersion: rv },
    spec: { dagRef: { name: 'chain' } },
    ...extra,
  };
}

/** Clients whose only working calls are the custom-object LISTs, each answering `items`. */
function fakeClients(items: unknown[]) {
  const calls: Array<{ call: string; args: Record<string, unknown> }> = [];
  const list = (call: string) => (args: Record<string, unknown>) => {
    calls.push({ call, args });
    return Promise.resolve({ items, metadata: { resourceVersion: '1' } });
  };
  const custom = {
    listNamespacedCustomObject: list('namespaced'),
    listClusterCustomObject: list('cluster'),
  };
  return { clients: { kc: server.kc, custom } as unknown as KubeClients, calls };
}

describe('collectionInformer', () => {
  it('lists and watches one namespace, passing the selectors', async () => {
    const { clients, calls } = fakeClients([]);
    const informer = collectionInformer<KubeObject>(
      clients,
      {
        group: 'fastflow.io',
        version: 'v1alpha1',
        plural: 'dags',
      },
      { namespace: 'team-a', labelSelector: 'app=x' },
    );
    started.push(informer);
    informer.start();
    const w = await server.nextWatch('/apis/fastflow.io/v1alpha1/namespaces/team-a/dags');
    expect(w.url.searchParams.get('labelSelector')).toBe('app=x');
    expect(calls).toEqual([
      {
        call: 'namespaced',
        args: expect.objectContaining({
          group: 'fastflow.io',
          version: 'v1alpha1',
          plural: 'dags',
          namespace: 'team-a',
          labelSelector: 'app=x',
          limit: 500,
        }),
      },
    ]);
  });

  it('lists and watches all namespaces without one', async () => {
    const { clients, calls } = fakeClients([]);
    const informer = instanceInformer(clients, {});
    started.push(informer);
    informer.start();
    await server.nextWatch('/apis/fastflow.io/v1alpha1/daginstances');
    expect(calls.map((c) => [c.call, c.args['plural'], c.args['namespace']])).toEqual([
      ['cluster', 'daginstances', undefined],
    ]);
  });
});

describe('instanceInformer', () => {
  it('hands out parsed DagInstances and leaves out, with a log line, one that does not parse', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'error' }, { write: (s: string) => lines.push(JSON.parse(s)) });
    const broken = { ...instance('broken', '1'), spec: { dagRef: {} } };
    const { clients } = fakeClients([instance('listed', '1'), broken]);
    const informer = instanceInformer(clients, { namespace: 'team-a', logger });
    const events: Array<InformerEvent<DagInstance>> = [];
    informer.onEvent((ev) => events.push(ev));
    started.push(informer);
    informer.start();
    await informer.synced();
    const w = await server.nextWatch('/apis/fastflow.io/v1alpha1/namespaces/team-a/daginstances');
    send(w, 'ADDED', instance('watched', '2', { status: { phase: 'Running' } }));
    send(w, 'ADDED', { ...instance('bad-status', '3'), status: { phase: 'Sleeping' } });
    send(w, 'ADDED', instance('last', '4'));
    await until(() => events.length === 3);
    expect(events.map((e) => e.key)).toEqual(['team-a/listed', 'team-a/watched', 'team-a/last']);
    expect(informer.get('team-a/watched')?.status?.phase).toBe('Running');
    expect(lines.map((l) => l['key'])).toEqual(['team-a/broken', 'team-a/bad-status']);
  });

  it('caches listed and watched objects without managedFields, counting them in serializedBytes', async () => {
    const managedFields = [{ manager: 'fastflow', fieldsV1: { 'f:status': { '.': {} } } }];
    const served = (name: string, rv: string): DagInstance => {
      const i = instance(name, rv);
      return { ...i, metadata: { ...i.metadata, managedFields } };
    };
    const { clients } = fakeClients([served('listed', '1')]);
    const informer = instanceInformer(clients, { namespace: 'team-a' });
    started.push(informer);
    informer.start();
    await informer.synced();
    const w = await server.nextWatch('/apis/fastflow.io/v1alpha1/namespaces/team-a/daginstances');
    send(w, 'ADDED', served('watched', '2'));
    await until(() => informer.get('team-a/watched') !== undefined);
    for (const name of ['listed', 'watched']) {
      const cached = informer.get(`team-a/${name}`);
      expect(cached?.metadata).not.toHaveProperty('managedFields');
      const whole = served(name, cached?.metadata.resourceVersion ?? '');
      expect(cached && serializedBytes(cached)).toBe(Buffer.byteLength(JSON.stringify(whole)));
    }
  });
});
