import type { V1Lease } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACTIONS_ANNOTATION, CAPACITY_ANNOTATION } from '../api/names.ts';
import { WorkerRegistry, type WorkerChange } from './worker-registry.ts';

type LogLine = { level: number; msg: string; worker?: string; problem?: string };

let rv = 0;

function lease(
  name: string,
  opts: {
    holder?: string | null;
    actions?: string;
    capacity?: string;
    durationSecs?: number;
    rv?: string;
  } = {},
): V1Lease {
  const annotations: Record<string, string> = {
    [ACTIONS_ANNOTATION]: opts.actions ?? '["print","sleep"]',
    [CAPACITY_ANNOTATION]: opts.capacity ?? '8',
  };
  return {
    metadata: {
      name,
      namespace: 'fastflow-system',
      resourceVersion: opts.rv ?? String(++rv),
      annotations,
    },
    spec: {
      ...(opts.holder === null ? {} : { holderIdentity: opts.holder ?? name }),
      leaseDurationSeconds: opts.durationSecs ?? 10,
    },
  };
}

const HOLD_MS = 30_000;

function setup(): {
  registry: WorkerRegistry;
  changes: string[];
  logs: LogLine[];
} {
  const changes: string[] = [];
  const logs: LogLine[] = [];
  const log = pino(
    { level: 'debug' },
    { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  );
  const registry = new WorkerRegistry({
    onChange: (c: WorkerChange) => changes.push(`${c.type} ${c.worker}`),
    log,
    // The registry's own clock, driven by the fake timers.
    now: () => Date.now(),
    holdMs: HOLD_MS,
  });
  registries.push(registry);
  return { registry, changes, logs };
}

const registries: WorkerRegistry[] = [];
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-05-01T10:00:00Z') });
});
afterEach(() => {
  for (const r of registries.splice(0)) r.stop();
  vi.useRealTimers();
});

const names = (r: WorkerRegistry): string[] => r.live().map((w) => w.name);

/** Each named worker writes its Lease (a join, or a renewal with a new resourceVersion). */
function renew(registry: WorkerRegistry, ...workers: string[]): void {
  for (const w of workers) registry.observe(lease(w));
}

/** `times` rounds of: `everyMs` pass, then the named workers renew. */
function renewEvery(
  registry: WorkerRegistry,
  { everyMs, times }: { everyMs: number; times: number },
  ...workers: string[]
): void {
  for (let t = 0; t < times; t++) {
    vi.advanceTimersByTime(everyMs);
    renew(registry, ...workers);
  }
}
const warnings = (logs: LogLine[]): LogLine[] => logs.filter((l) => l.level === 40);

describe('WorkerRegistry', () => {
  it('a held Lease with actions and capacity annotations joins', () => {
    const { registry, changes } = setup();
    registry.observe(lease('w1'));
    expect(changes).toEqual(['joined w1']);
    expect(registry.live()).toEqual([
      { name: 'w1', actions: new Set(['print', 'sleep']), capacity: 8 },
    ]);
  });

  it('defaults to no actions and capacity 1 when the annotations are absent', () => {
    const { registry } = setup();
    const l = lease('w1');
    if (l.metadata) l.metadata.annotations = {};
    registry.observe(l);
    expect(registry.live()).toEqual([{ name: 'w1', actions: new Set(), capacity: 1 }]);
  });

  it('renewals (a new resourceVersion) keep it live, without announcing it again', () => {
    const { registry, changes } = setup();
    renew(registry, 'w1');
    renewEvery(registry, { everyMs: 9_000, times: 5 }, 'w1');
    expect(changes).toEqual(['joined w1']);
    expect(names(registry)).toEqual(['w1']);
  });

  it('the same resourceVersion again is not a renewal', () => {
    const { registry, changes } = setup();
    registry.observe(lease('w1', { rv: '7' }));
    vi.advanceTimersByTime(6_000);
    registry.observe(lease('w1', { rv: '7' }));
    vi.advanceTimersByTime(4_100);
    expect(changes).toEqual(['joined w1', 'left w1']);
    expect(names(registry)).toEqual([]);
  });

  it('a Lease unchanged for a whole duration leaves, and is no longer live', () => {
    const { registry, changes, logs } = setup();
    registry.observe(lease('w1', { durationSecs: 10 }));
    registry.observe(lease('w2', { durationSecs: 30 }));
    vi.advanceTimersByTime(9_999);
    expect(names(registry)).toEqual(['w1', 'w2']);
    expect(changes).toEqual(['joined w1', 'joined w2']);
    vi.advanceTimersByTime(10);
    expect(changes).toEqual(['joined w1', 'joined w2', 'left w1']);
    expect(names(registry)).toEqual(['w2']);
    expect(logs.some((l) => l.msg === 'worker lease expired' && l.worker === 'w1')).toBe(true);
  });

  it('an expired worker whose Lease is renewed again joins again', () => {
    const { registry, changes } = setup();
    registry.observe(lease('w1'));
    vi.advanceTimersByTime(11_000);
    registry.observe(lease('w1'));
    expect(changes).toEqual(['joined w1', 'left w1', 'joined w1']);
    expect(names(registry)).toEqual(['w1']);
  });

  it('a released Lease (no holderIdentity) leaves at once', () => {
    const { registry, changes } = setup();
    registry.observe(lease('w1'));
    registry.observe(lease('w1', { holder: null }));
    expect(changes).toEqual(['joined w1', 'left w1']);
    expect(names(registry)).toEqual([]);
    // Its expiry timer is gone with it.
    vi.advanceTimersByTime(60_000);
    expect(changes).toEqual(['joined w1', 'left w1']);
  });

  it('a released Lease never seen before is ignored', () => {
    const { registry, changes } = setup();
    registry.observe(lease('w1', { holder: null }));
    expect(changes).toEqual([]);
    expect(names(registry)).toEqual([]);
  });

  it('a deleted Lease leaves at once; an unknown one changes nothing', () => {
    const { registry, changes } = setup();
    registry.observe(lease('w1'));
    registry.remove('w1');
    registry.remove('w9');
    expect(changes).toEqual(['joined w1', 'left w1']);
    expect(names(registry)).toEqual([]);
  });

  it('a bad actions annotation is ignored with a warning naming the worker', () => {
    const { registry, changes, logs } = setup();
    registry.observe(lease('w1', { actions: 'print,sleep' }));
    registry.observe(lease('w2', { actions: '{"a":1}' }));
    registry.observe(lease('w3', { capacity: 'lots' }));
    expect(changes).toEqual([]);
    expect(names(registry)).toEqual([]);
    expect(warnings(logs).map((l) => l.worker)).toEqual(['w1', 'w2', 'w3']);
    expect(warnings(logs)[0]).toMatchObject({
      msg: 'ignoring worker with a bad advert',
      problem: `${ACTIONS_ANNOTATION} is not a JSON list`,
    });
  });

  it('a live worker whose advert turns bad leaves, with a warning', () => {
    const { registry, changes, logs } = setup();
    registry.observe(lease('w1'));
    registry.observe(lease('w1', { actions: 'not json' }));
    expect(changes).toEqual(['joined w1', 'left w1']);
    expect(names(registry)).toEqual([]);
    expect(warnings(logs)).toHaveLength(1);
  });

  it('a change of actions announces the worker again; a change of capacity updates it quietly', () => {
    const { registry, changes } = setup();
    registry.observe(lease('w1', { actions: '["print"]' }));
    registry.observe(lease('w1', { actions: '["print","deploy"]' }));
    expect(changes).toEqual(['joined w1', 'joined w1']);
    expect(registry.live()[0]?.actions).toEqual(new Set(['print', 'deploy']));
    registry.observe(lease('w1', { actions: '["print","deploy"]', capacity: '2' }));
    expect(changes).toEqual(['joined w1', 'joined w1']);
    expect(registry.live()[0]?.capacity).toBe(2);
  });

  it('stop() clears every timer and worker', () => {
    const { registry, changes } = setup();
    registry.observe(lease('w1'));
    registry.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(names(registry)).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect(changes).toEqual(['joined w1']);
  });

  it('declares nobody dead while it cannot see the API server; then every Lease gets a full duration', () => {
    const { registry, changes } = setup();
    registry.observe(lease('w1'));
    registry.sight(false);
    vi.advanceTimersByTime(60_000);
    expect(names(registry)).toEqual(['w1']);
    expect(registry.longDead(0)).toEqual([]);
    registry.sight(true);
    vi.advanceTimersByTime(9_999);
    expect(names(registry)).toEqual(['w1']);
    expect(changes).toEqual(['joined w1']);
    vi.advanceTimersByTime(1_006);
    expect(changes).toEqual(['joined w1', 'left w1']);
    expect(names(registry)).toEqual([]);
  });

  it('a worker silent alone while the others renew leaves after its duration', () => {
    const { registry, changes } = setup();
    renew(registry, 'w1', 'w2', 'w3');
    renewEvery(registry, { everyMs: 3_000, times: 4 }, 'w2', 'w3');
    expect(changes).toContain('left w1');
    expect(names(registry)).toEqual(['w2', 'w3']);
  });

  it('most workers silent together are spared for holdMs; renewals in time keep them all', () => {
    const { registry, changes, logs } = setup();
    // Seen, then seen renewed: alive while we watched.
    renew(registry, 'w1', 'w2', 'w3');
    renew(registry, 'w1', 'w2', 'w3');
    vi.advanceTimersByTime(HOLD_MS);
    expect(names(registry)).toEqual(['w1', 'w2', 'w3']);
    expect(changes).toEqual(['joined w1', 'joined w2', 'joined w3']);
    expect(warnings(logs).map((l) => l.msg)).toEqual([
      'most worker Leases went silent together: suspecting the API server, not the workers',
    ]);
    // They come back one by one: the last ones are not judged by their silence before.
    renew(registry, 'w1', 'w2');
    expect(names(registry)).toEqual(['w1', 'w2', 'w3']);
    vi.advanceTimersByTime(9_999);
    renew(registry, 'w1', 'w2');
    expect(names(registry)).toEqual(['w1', 'w2', 'w3']);
    expect(changes).toHaveLength(3);
    vi.advanceTimersByTime(10);
    expect(changes).toEqual(['joined w1', 'joined w2', 'joined w3', 'left w3']);
  });

  it('most workers silent together are declared dead once holdMs has passed', () => {
    const { registry, changes } = setup();
    renew(registry, 'w1', 'w2', 'w3');
    renew(registry, 'w1', 'w2', 'w3');
    // Silent together from half a duration on: the hold counts from when that was seen.
    vi.advanceTimersByTime(10_000 + HOLD_MS + 1_000);
    expect(changes.filter((c) => c.startsWith('left'))).toEqual(['left w1', 'left w2', 'left w3']);
    expect(names(registry)).toEqual([]);
  });

  it('workers declared dead before do not make one more death look like an outage', () => {
    const { registry, changes } = setup();
    renew(registry, 'w1', 'w2', 'w3');
    // w1 is killed: the others renew, and it leaves after its duration.
    renewEvery(registry, { everyMs: 3_000, times: 4 }, 'w2', 'w3');
    expect(changes).toContain('left w1');
    // Then w2 goes silent alone while w3 renews: w1's old silence is no company.
    renewEvery(registry, { everyMs: 3_000, times: 4 }, 'w3');
    expect(changes).toContain('left w2');
    expect(names(registry)).toEqual(['w3']);
  });

  it('Leases never seen renewed (workers dead before this operator started) are no outage', () => {
    const { registry, changes, logs } = setup();
    // A new leader reads 4 Leases: 3 of workers long dead, 1 of a live worker that renews.
    renew(registry, 'dead1', 'dead2', 'dead3', 'live');
    renewEvery(registry, { everyMs: 3_000, times: 4 }, 'live');
    const left = changes.filter((c) => c.startsWith('left'));
    expect(left).toEqual(['left dead1', 'left dead2', 'left dead3']);
    expect(names(registry)).toEqual(['live']);
    expect(warnings(logs)).toEqual([]);
  });
});
