/**
 * operator/kube against a real API server: the transport, the informer and
 * the worker heartbeat lease (leader election: kube-leader-election.test.ts).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { makeClients, type KubeClients } from '../../operator/kube/client.ts';
import { HeartbeatLease } from '../../operator/kube/heartbeat-lease.ts';
import { Informer, type InformerEvent } from '../../operator/kube/informer.ts';
import type { Logger } from '../../operator/log.ts';
import { createTestNamespace, deleteTestNamespace, testKubeConfig } from '../support/cluster.ts';

let ns: string;
let clients: KubeClients;

beforeAll(async () => {
  ns = await createTestNamespace('kube-infra');
  clients = makeClients(testKubeConfig(), { userAgent: 'fastflow-kube-infra-test' });
});
afterAll(async () => {
  if (ns) await deleteTestNamespace(ns);
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** How long to wait for a watch event. */
const WAIT = { timeout: 15_000, interval: 20 };

describe('transport', () => {
  it('reuses connections for sequential calls against the TLS API server', async () => {
    let connects = 0;
    const onConnect = (): void => {
      connects++;
    };
    subscribe('undici:client:connected', onConnect);
    try {
      for (let i = 0; i < 30; i++) await clients.core.readNamespace({ name: ns });
    } finally {
      unsubscribe('undici:client:connected', onConnect);
    }
    // Without the pinned dispatcher this is one TLS handshake per call (30).
    expect(connects).toBeGreaterThanOrEqual(1);
    expect(connects).toBeLessThanOrEqual(2);
  });
});

// ConfigMaps parsed into plain objects: client-node's model classes carry no
// index signature, so they are not KubeObjects as such.
const ConfigMap = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string(),
    resourceVersion: z.string(),
  }),
  data: z.record(z.string(), z.string()).optional(),
});
type ConfigMap = z.infer<typeof ConfigMap>;

describe('Informer', () => {
  it('lists, watches add/update/delete, and stops without reconnecting', async () => {
    const { core } = clients;
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'cm-a', labels: { app: 'informer' } }, data: { v: '1' } },
    });
    const logs: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'debug' }, { write: (s: string) => logs.push(JSON.parse(s)) });
    // What each parse was given as the cached object of its key.
    const previousOf: Array<[string, ConfigMap['data']]> = [];
    const configMapInformer = (opts: { logger?: Logger; onList?: () => void } = {}) =>
      new Informer<ConfigMap>(clients.kc, {
        path: `/api/v1/namespaces/${ns}/configmaps`,
        labelSelector: 'app=informer',
        pageSize: 1,
        list: async (o) => {
          opts.onList?.();
          const page = await core.listNamespacedConfigMap({ namespace: ns, ...o });
          return { items: page.items.map((i) => ConfigMap.parse(i)), metadata: page.metadata };
        },
        parse: (raw, previous) => {
          const parsed = ConfigMap.parse(raw);
          if (opts.logger) previousOf.push([parsed.metadata.name, previous?.data]);
          return parsed;
        },
        ...(opts.logger ? { logger: opts.logger } : {}),
      });
    let lists = 0;
    const informer = configMapInformer({ logger, onList: () => lists++ });
    const events: Array<InformerEvent<ConfigMap>> = [];
    informer.onEvent((ev) => events.push(ev));
    const seen = (type: string, key: string): boolean =>
      events.some((e) => e.type === type && e.key === key);
    // A second informer on the same collection, left running: the event it
    // sees after the first one stopped is one the first would have seen.
    const witness = configMapInformer();
    const witnessed: string[] = [];
    witness.onEvent((ev) => witnessed.push(`${ev.type} ${ev.key}`));
    witness.start();

    informer.start();
    await informer.synced();
    expect(informer.get(`${ns}/cm-a`)?.data).toEqual({ v: '1' });
    expect(seen('add', `${ns}/cm-a`)).toBe(true);

    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'cm-b', labels: { app: 'informer' } }, data: { v: '1' } },
    });
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'not-selected' }, data: { v: '1' } },
    });
    await expect
      .poll(() => seen('add', `${ns}/cm-b`), { ...WAIT, message: 'cm-b added' })
      .toBe(true);
    await core.replaceNamespacedConfigMap({
      namespace: ns,
      name: 'cm-a',
      body: { metadata: { name: 'cm-a', labels: { app: 'informer' } }, data: { v: '2' } },
    });
    await expect
      .poll(() => seen('update', `${ns}/cm-a`), { ...WAIT, message: 'cm-a updated' })
      .toBe(true);
    expect(informer.get(`${ns}/cm-a`)?.data).toEqual({ v: '2' });
    const update = events.find((e) => e.type === 'update');
    expect(update?.old?.data).toEqual({ v: '1' });
    expect(previousOf).toContainEqual(['cm-a', { v: '1' }]);
    expect(previousOf).toContainEqual(['cm-b', undefined]);
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'cm-b' });
    await expect
      .poll(() => seen('delete', `${ns}/cm-b`), { ...WAIT, message: 'cm-b deleted' })
      .toBe(true);
    expect(informer.get(`${ns}/cm-b`)).toBeUndefined();
    expect(informer.list().map((o) => o.metadata.name)).toEqual(['cm-a']);
    expect(events.some((e) => e.key.endsWith('/not-selected'))).toBe(false);

    await witness.synced();
    informer.stop();
    const logsAtStop = logs.length;
    const eventsAtStop = events.length;
    const listsAtStop = lists;
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'cm-c', labels: { app: 'informer' } } },
    });
    const witnessedC = (): boolean => witnessed.includes(`add ${ns}/cm-c`);
    await expect.poll(witnessedC, { ...WAIT, message: 'the witness sees cm-c added' }).toBe(true);
    witness.stop();
    expect(events.length).toBe(eventsAtStop);
    expect(informer.get(`${ns}/cm-c`)).toBeUndefined();
    // No "watch failed", no relist, no reconnect after stop().
    expect(lists).toBe(listsAtStop);
    expect(logs.slice(logsAtStop)).toEqual([]);
    expect(logs.filter((l) => (l['level'] as number) >= 40)).toEqual([]);
  });
});

describe('HeartbeatLease', () => {
  it('creates the lease with labels and annotations, renews it, deletes it on stop', async () => {
    let lost = 0;
    const heartbeat = new HeartbeatLease({
      coordination: clients.coordination,
      namespace: ns,
      name: 'worker-hb',
      identity: 'worker-hb',
      leaseDurationSeconds: 2,
      renewIntervalMs: 200,
      labels: { 'fastflow.io/worker-lease': '' },
      annotations: { 'fastflow.io/actions': '["echo"]', 'fastflow.io/capacity': '2' },
      onLost: () => lost++,
    });
    await heartbeat.start();
    const read = () =>
      clients.coordination.readNamespacedLease({ namespace: ns, name: 'worker-hb' });
    const lease = await read();
    expect(lease.metadata?.labels).toEqual({ 'fastflow.io/worker-lease': '' });
    expect(lease.metadata?.annotations).toEqual({
      'fastflow.io/actions': '["echo"]',
      'fastflow.io/capacity': '2',
    });
    expect(lease.spec?.holderIdentity).toBe('worker-hb');
    expect(String(lease.spec?.renewTime)).toMatch(/\.\d{6}Z$/);

    let renewed = lease;
    const deadline = Date.now() + 10_000;
    while (String(renewed.spec?.renewTime) === String(lease.spec?.renewTime)) {
      if (Date.now() > deadline) throw new Error('lease not renewed');
      await sleep(100);
      renewed = await read();
    }
    expect(renewed.metadata?.annotations).toEqual(lease.metadata?.annotations);
    expect(String(renewed.spec?.renewTime) > String(lease.spec?.renewTime)).toBe(true);

    await heartbeat.stop();
    await expect(read()).rejects.toMatchObject({ code: 404 });
    expect(lost).toBe(0);
  });
});
