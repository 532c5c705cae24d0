import { ApiException, type CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createLogger } from '../log.ts';
import type { PlannedEvent } from '../core/instance-events.ts';
import { ScheduleMetrics } from '../observability/schedule-metrics.ts';
import { ScheduleReconciler } from './schedule-reconciler.ts';

const now = new Date('2026-03-01T01:00:02Z');
const due = Date.parse('2026-03-01T01:00:00Z') / 1000;
const schedule = {
  apiVersion: 'fastflow.io/v1alpha1',
  kind: 'DagSchedule',
  metadata: {
    name: 'hourly',
    namespace: 'ns',
    uid: 'u-1',
    resourceVersion: '5',
    creationTimestamp: '2026-03-01T00:30:00Z',
  },
  spec: { dagRef: { name: 'etl' }, schedule: '0 * * * *' },
};

const conflict = (what: string) =>
  new ApiException(409, what, JSON.stringify({ code: 409, reason: 'AlreadyExists' }), {});

/** The API calls the reconciler makes: creates (some names exist already) and status patches. */
function fakeApi(existing: string[], statusConflict = false) {
  const created: string[] = [];
  const patched: unknown[] = [];
  const custom = {
    createNamespacedCustomObject: (a: { body: { metadata: { name: string } } }) => {
      const name = a.body.metadata.name;
      if (existing.includes(name)) return Promise.reject(conflict('exists'));
      created.push(name);
      return Promise.resolve(a.body);
    },
    patchNamespacedCustomObjectStatus: (a: { body: unknown }) => {
      if (statusConflict) {
        const body = JSON.stringify({ code: 409, reason: 'Conflict' });
        return Promise.reject(new ApiException(409, 'conflict', body, {}));
      }
      patched.push(a.body);
      return Promise.resolve({});
    },
  };
  return { custom: custom as unknown as CustomObjectsApi, created, patched };
}

function reconciler(custom: CustomObjectsApi, events: PlannedEvent[]) {
  return new ScheduleReconciler({
    custom,
    schedule: () => structuredClone(schedule),
    runsOf: () => [],
    dagExists: () => true,
    record: (_s, e) => events.push(...e),
    metrics: new ScheduleMetrics(new Registry(), () => []),
    log: createLogger('silent'),
    now: () => now,
  });
}

describe('ScheduleReconciler', () => {
  it('starts the due run, writes the cursor and asks to be woken when the next is due', async () => {
    const api = fakeApi([]);
    const events: PlannedEvent[] = [];
    const result = await reconciler(api.custom, events).reconcile(
      'ns/hourly',
      new AbortController().signal,
    );
    expect(api.created).toEqual([`hourly-${due}`]);
    expect(api.patched).toEqual([
      expect.objectContaining({
        metadata: { resourceVersion: '5' },
        status: expect.objectContaining({ caughtUpTo: '2026-03-01T01:00:00.000Z' }),
      }),
    ]);
    expect(events.map((e) => e.reason)).toEqual(['ScheduledRun']);
    expect(result).toEqual({ requeueAfterMs: 3600_000 - 2000 });
  });

  it('takes a run that exists already (409 on create) as started: no second run, no Event', async () => {
    const api = fakeApi([`hourly-${due}`]);
    const events: PlannedEvent[] = [];
    await reconciler(api.custom, events).reconcile('ns/hourly', new AbortController().signal);
    expect(api.created).toEqual([]);
    expect(api.patched).toHaveLength(1);
    expect(events).toEqual([]);
  });

  it('records nothing when the status write meets a newer version: the pass is made again', async () => {
    const api = fakeApi([], true);
    const events: PlannedEvent[] = [];
    const pass = reconciler(api.custom, events).reconcile(
      'ns/hourly',
      new AbortController().signal,
    );
    await expect(pass).rejects.toMatchObject({ code: 409 });
    expect(events).toEqual([]);
  });
});
