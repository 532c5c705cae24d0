/**
 * operator/kube against a real API server: the transport, the informer, leader
 * election and the worker heartbeat lease.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { makeClients, type KubeClients } from '../../operator/kube/client.ts';
import { HeartbeatLease } from '../../operator/kube/heartbeat-lease.ts';
import { Informer, type InformerEvent } from '../../operator/kube/informer.ts';
import { LeaderElector } from '../../operator/kube/leader-election.ts';
import { silentLogger } from '../../operator/log.ts';
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

async function until(cond: () => boolean, timeoutMs = 15_000): Promise<number> {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > timeoutMs) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - start;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
    const informer = new Informer<ConfigMap>(clients.kc, {
      path: `/api/v1/namespaces/${ns}/configmaps`,
      labelSelector: 'app=informer',
      pageSize: 1,
      list: async (o) => {
        const page = await core.listNamespacedConfigMap({ namespace: ns, ...o });
        return { items: page.items.map((i) => ConfigMap.parse(i)), metadata: page.metadata };
      },
      parse: (raw) => ConfigMap.parse(raw),
      logger,
    });
    const events: Array<InformerEvent<ConfigMap>> = [];
    informer.onEvent((ev) => events.push(ev));
    const seen = (type: string, key: string): boolean =>
      events.some((e) => e.type === type && e.key === key);

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
    await until(() => seen('add', `${ns}/cm-b`));
    await core.replaceNamespacedConfigMap({
      namespace: ns,
      name: 'cm-a',
      body: { metadata: { name: 'cm-a', labels: { app: 'informer' } }, data: { v: '2' } },
    });
    await until(() => seen('update', `${ns}/cm-a`));
    expect(informer.get(`${ns}/cm-a`)?.data).toEqual({ v: '2' });
    const update = events.find((e) => e.type === 'update');
    expect(update?.old?.data).toEqual({ v: '1' });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'cm-b' });
    await until(() => seen('delete', `${ns}/cm-b`));
    expect(informer.get(`${ns}/cm-b`)).toBeUndefined();
    expect(informer.list().map((o) => o.metadata.name)).toEqual(['cm-a']);
    expect(events.some((e) => e.key.endsWith('/not-selected'))).toBe(false);

    informer.stop();
    const logsAtStop = logs.length;
    const eventsAtStop = events.length;
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'cm-c', labels: { app: 'informer' } } },
    });
    await sleep(2_000);
    expect(events.length).toBe(eventsAtStop);
    // No "watch failed", no relist, no reconnect after stop().
    expect(logs.slice(logsAtStop)).toEqual([]);
    expect(logs.filter((l) => (l['level'] as number) >= 40)).toEqual([]);
  });
});

describe('LeaderElector', () => {
  const timing = { leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 250 };

  function candidate(identity: string) {
    const state = { started: 0, stopped: 0, leadership: undefined as AbortSignal | undefined };
    const stop = new AbortController();
    const elector = new LeaderElector({
      coordination: makeClients(testKubeConfig(), { userAgent: identity }).coordination,
      namespace: ns,
      name: 'kube-infra-leader',
      identity,
      ...timing,
      logger: silentLogger(),
      onStartedLeading: (signal) => {
        state.started++;
        state.leadership = signal;
      },
      onStoppedLeading: () => state.stopped++,
    });
    const done = elector.run(stop.signal);
    return { elector, state, stop, done };
  }

  const leading = (c: { state: { started: number; stopped: number } }): boolean =>
    c.state.started > c.state.stopped;

  async function holder(): Promise<{ holder?: string; transitions?: number; renewTime: string }> {
    const lease = await clients.coordination.readNamespacedLease({
      namespace: ns,
      name: 'kube-infra-leader',
    });
    return {
      ...(lease.spec?.holderIdentity !== undefined ? { holder: lease.spec.holderIdentity } : {}),
      ...(lease.spec?.leaseTransitions !== undefined
        ? { transitions: lease.spec.leaseTransitions }
        : {}),
      renewTime: String(lease.spec?.renewTime),
    };
  }

  it('elects one leader, fails over after leaseDuration, and hands over at once on release', async () => {
    const a = candidate('elector-a');
    const b = candidate('elector-b');
    await until(() => leading(a) || leading(b));
    await sleep(2 * timing.leaseDurationMs);
    expect([leading(a), leading(b)].filter(Boolean)).toHaveLength(1);
    expect(a.state.started + b.state.started).toBe(1);
    const [leader, standby] = leading(a) ? [a, b] : [b, a];
    const first = await holder();
    expect(first.renewTime).toMatch(/\.\d{6}Z$/);

    // The leader stops renewing without releasing: the standby waits a lease duration.
    leader.stop.abort();
    await leader.done;
    expect(leader.state.stopped).toBe(1);
    expect(leader.state.leadership?.aborted).toBe(true);
    const waited = await until(() => leading(standby));
    expect(waited).toBeGreaterThanOrEqual(timing.leaseDurationMs - 2 * timing.retryPeriodMs);
    expect(waited).toBeLessThan(timing.leaseDurationMs * 3);
    const second = await holder();
    expect(second.holder).toBe(standby === a ? 'elector-a' : 'elector-b');
    expect(second.transitions).toBe((first.transitions ?? 0) + 1);

    // A graceful stop releases: the next candidate takes over without waiting.
    const c = candidate('elector-c');
    await sleep(2 * timing.retryPeriodMs);
    expect(leading(c)).toBe(false);
    standby.stop.abort();
    await standby.done;
    await standby.elector.release();
    const handover = await until(() => leading(c));
    expect(handover).toBeLessThan(timing.leaseDurationMs);
    expect((await holder()).holder).toBe('elector-c');
    c.stop.abort();
    await c.done;
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
