import type { EventsV1Api, EventsV1Event } from '@kubernetes/client-node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import type { PlannedEvent } from '../core/instance-events.ts';
import type { InformerEvent } from '../kube/informer.ts';
import type { KubeObject } from '../kube/types.ts';
import { silentLogger, type Logger } from '../log.ts';
import { EventRecorder, cutNote, eventName } from './events.ts';
import { recordTransitions } from './transition-events.ts';

const instance: DagInstance = {
  apiVersion: 'fastflow.io/v1alpha1',
  kind: 'DagInstance',
  metadata: { name: 'run-1', namespace: 'team-a', uid: 'u-1', resourceVersion: '42' },
  spec: { dagRef: { name: 'chain' } },
};
const started: PlannedEvent = {
  type: 'Normal',
  reason: 'Started',
  action: 'Start',
  note: 'started from Dag snapshot chain-5d8f',
};

/** An events API that keeps what it is sent, failing while `fail` is set. */
function fakeEvents(opts: { fail?: boolean; hold?: Promise<void> } = {}) {
  const sent: Array<{ namespace: string; body: EventsV1Event }> = [];
  const api = {
    async createNamespacedEvent(req: { namespace: string; body: EventsV1Event }) {
      await opts.hold;
      if (opts.fail) throw Object.assign(new Error('forbidden'), { code: 403 });
      sent.push(req);
      return req.body;
    },
  };
  return { api: api as unknown as EventsV1Api, sent };
}

function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

describe('EventRecorder', () => {
  it('writes an events.k8s.io/v1 Event about the object, with a six-digit MicroTime', async () => {
    const { api, sent } = fakeEvents();
    const results: string[] = [];
    const recorder = new EventRecorder({
      events: api,
      controller: 'fastflow.io/operator',
      instance: `op-${'x'.repeat(200)}`,
      log: silentLogger(),
      onResult: (reason, result) => results.push(`${reason}:${result}`),
      now: () => new Date('2026-08-20T10:00:05.123Z'),
    });
    recorder.record(instance, [started]);
    await recorder.flush();
    expect(sent).toHaveLength(1);
    const [{ namespace, body }] = sent as [{ namespace: string; body: EventsV1Event }];
    expect(namespace).toBe('team-a');
    expect(JSON.parse(JSON.stringify(body))).toEqual({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'run-1.1a01e9d1103001', namespace: 'team-a' },
      eventTime: '2026-08-20T10:00:05.123000Z',
      reportingController: 'fastflow.io/operator',
      reportingInstance: `op-${'x'.repeat(125)}`,
      action: 'Start',
      reason: 'Started',
      type: 'Normal',
      note: 'started from Dag snapshot chain-5d8f',
      regarding: {
        apiVersion: 'fastflow.io/v1alpha1',
        kind: 'DagInstance',
        name: 'run-1',
        namespace: 'team-a',
        uid: 'u-1',
        resourceVersion: '42',
      },
    });
    expect(results).toEqual(['Started:written']);
  });

  it('logs and counts a failed write, and never throws', async () => {
    const { api } = fakeEvents({ fail: true });
    const { logger, lines } = capturingLogger();
    const results: string[] = [];
    const recorder = new EventRecorder({
      events: api,
      controller: 'fastflow.io/operator',
      instance: 'op-1',
      log: logger,
      onResult: (reason, result) => results.push(`${reason}:${result}`),
    });
    expect(() => recorder.record(instance, [started])).not.toThrow();
    await recorder.flush();
    expect(results).toEqual(['Started:failed']);
    expect(lines.find((l) => l['msg'] === 'could not record an Event')).toMatchObject({
      level: 40,
      reason: 'Started',
      regarding: 'team-a/run-1',
    });
  });

  it('drops Events beyond maxInFlight writes instead of queueing them', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const { api, sent } = fakeEvents({ hold });
    const results: string[] = [];
    const recorder = new EventRecorder({
      events: api,
      controller: 'fastflow.io/operator',
      instance: 'op-1',
      log: silentLogger(),
      maxInFlight: 2,
      onResult: (_reason, result) => results.push(result),
    });
    recorder.record(instance, [started, started, started]);
    expect(results).toEqual(['dropped']);
    release();
    await recorder.flush();
    expect(sent).toHaveLength(2);
    recorder.record(instance, [started]);
    await recorder.flush();
    expect(sent).toHaveLength(3);
  });
});

describe('eventName', () => {
  const at = new Date('2026-08-20T10:00:05.123Z');
  const dns = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

  it('is the object name, a dot, the time and a sequence number in hex', () => {
    expect(eventName('run-1', at, 1)).toBe('run-1.1a01e9d1103001');
    expect(eventName('run-1', at, 2)).not.toBe(eventName('run-1', at, 1));
  });

  it('stays a DNS subdomain of at most 253 characters for the longest names', () => {
    for (const object of ['a'.repeat(253), `${'a'.repeat(237)}-b.c`, `${'a.'.repeat(126)}a`]) {
      const name = eventName(object, at, 4095);
      expect(name.length).toBeLessThanOrEqual(253);
      expect(name).toMatch(dns);
    }
  });
});

describe('cutNote', () => {
  it('keeps a short note and cuts a long one to 1024 bytes, multi-byte characters whole', () => {
    expect(cutNote('short')).toBe('short');
    for (const long of ['a'.repeat(5000), 'é'.repeat(5000), '💥'.repeat(5000)]) {
      const cut = cutNote(long);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(1024);
      expect(Buffer.byteLength(cut)).toBeGreaterThan(1000);
      expect(cut.endsWith('…')).toBe(true);
      expect(cut).not.toMatch(/\uFFFD/);
    }
  });
});

describe('recordTransitions', () => {
  type Handler<T> = (ev: InformerEvent<T>) => void;
  function setup() {
    const { api, sent } = fakeEvents();
    const handlers = {
      dags: [] as Array<Handler<KubeObject>>,
      instances: [] as Array<Handler<DagInstance>>,
    };
    let leading = true;
    const recorder = new EventRecorder({
      events: api,
      controller: 'fastflow.io/operator',
      instance: 'op-1',
      log: silentLogger(),
    });
    recordTransitions({
      dags: { onEvent: (h) => handlers.dags.push(h) },
      instances: { onEvent: (h) => handlers.instances.push(h) },
      recorder,
      active: () => leading,
    });
    const emit = (ev: InformerEvent<DagInstance>): void => {
      for (const h of handlers.instances) h(ev);
    };
    const emitDag = (ev: InformerEvent<KubeObject>): void => {
      for (const h of handlers.dags) h(ev);
    };
    return { sent, recorder, emit, emitDag, setLeading: (v: boolean) => (leading = v) };
  }
  const withStatus = (status: DagInstanceStatus, uid = 'u-1'): DagInstance => ({
    ...instance,
    metadata: { ...instance.metadata, uid },
    status,
  });
  const running: DagInstanceStatus = { phase: 'Running', dagRevision: 'chain-5d8f' };

  it('records the transitions of an update on the leader', async () => {
    const { sent, recorder, emit } = setup();
    const [before, after] = [withStatus({}), withStatus(running)];
    emit({ type: 'update', key: 'team-a/run-1', obj: after, old: before });
    await recorder.flush();
    expect(sent.map((s) => s.body.reason)).toEqual(['Started']);
  });

  it('records nothing on a standby, for adds and resyncs, or across a re-created object', async () => {
    const { sent, recorder, emit, setLeading } = setup();
    emit({ type: 'add', key: 'k', obj: withStatus(running) });
    emit({ type: 'resync', key: 'k', obj: withStatus(running) });
    emit({
      type: 'update',
      key: 'k',
      obj: withStatus(running, 'u-2'),
      old: withStatus({}, 'u-1'),
    });
    setLeading(false);
    emit({ type: 'update', key: 'k', obj: withStatus(running), old: withStatus({}) });
    await recorder.flush();
    expect(sent).toEqual([]);
  });

  it('records a Dag turning invalid', async () => {
    const { sent, recorder, emitDag } = setup();
    const invalid = {
      valid: false,
      conditions: [
        {
          type: 'Valid',
          status: 'False',
          reason: 'Cycle',
          message: 'cycle: a -> b -> a',
          lastTransitionTime: '2026-08-20T10:00:00Z',
        },
      ],
    };
    const dag = (status: unknown): KubeObject => ({ ...instance, kind: 'Dag', status });
    emitDag({ type: 'update', key: 'k', obj: dag(invalid), old: dag({}) });
    emitDag({ type: 'update', key: 'k', obj: dag(invalid), old: dag(invalid) });
    await recorder.flush();
    expect(sent.map((s) => [s.body.reason, s.body.note, s.body.regarding?.kind])).toEqual([
      ['InvalidDag', 'Cycle: cycle: a -> b -> a', 'Dag'],
    ]);
  });
});
