import { ApiException, type CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { DagInstance } from '../api/objects.ts';
import { silentLogger } from '../log.ts';
import { InstanceGc } from './instance-gc.ts';

const FINISHED = '2026-01-01T00:00:00.000Z';

function instance(name: string, more: Partial<DagInstance['spec']> = {}): DagInstance {
  return {
    apiVersion: 'fastflow.io/v1alpha1',
    kind: 'DagInstance',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '7' },
    spec: { dagRef: { name: 'd' }, ...more },
    status: { phase: 'Succeeded', finishTime: FINISHED },
  };
}

/** A DagInstance API that records deletions; `conflict` names refuse with 409. */
function customApi(conflict: string[] = []) {
  const deleted: unknown[] = [];
  const api = {
    deleteNamespacedCustomObject: (req: { name: string }) => {
      if (conflict.includes(req.name)) {
        return Promise.reject(new ApiException(409, 'Conflict', '{"reason":"Conflict"}', {}));
      }
      deleted.push(req);
      return Promise.resolve({});
    },
  };
  return { api: api as unknown as CustomObjectsApi, deleted };
}

function setup(objects: DagInstance[], dagSpec: unknown, nowIso: string, conflict?: string[]) {
  const cache = new Map(objects.map((o) => [`ns/${o.metadata.name}`, o]));
  const { api, deleted } = customApi(conflict);
  const gc = new InstanceGc({
    custom: api,
    instance: (k) => cache.get(k),
    dag: () => ({ spec: dagSpec }),
    operatorTtlSeconds: 0,
    log: silentLogger(),
    now: () => new Date(nowIso),
  });
  for (const [key, o] of cache) gc.observe(key, o);
  return { gc, deleted };
}

describe('InstanceGc', () => {
  it('indexes finished instances by Dag, and forgets deleted or reopened ones', () => {
    const { gc } = setup([], {}, FINISHED);
    expect(gc.observe('ns/a', instance('a'))).toBe('ns/d');
    expect(gc.observe('ns/b', { ...instance('b'), status: { phase: 'Running' } })).toBeUndefined();
    expect(gc.observe('ns/a', undefined)).toBeUndefined();
  });

  it('asks to run again when the next TTL runs out, and deletes then', async () => {
    const objects = [instance('a', { ttlSecondsAfterFinished: 30 }), instance('b')];
    const early = setup(objects, { ttlSecondsAfterFinished: 60 }, '2026-01-01T00:00:10.000Z');
    expect(await early.gc.reconcile('ns/d', new AbortController().signal)).toEqual({
      requeueAfterMs: 20_000,
    });
    expect(early.deleted).toEqual([]);

    const later = setup(objects, { ttlSecondsAfterFinished: 60 }, '2026-01-01T00:00:30.000Z');
    expect(await later.gc.reconcile('ns/d', new AbortController().signal)).toEqual({
      requeueAfterMs: 30_000,
    });
    expect(later.deleted).toEqual([
      expect.objectContaining({
        name: 'a',
        namespace: 'ns',
        propagationPolicy: 'Background',
        body: { preconditions: { uid: 'uid-a', resourceVersion: '7' } },
      }),
    ]);
  });

  it('leaves an instance that changed since it was seen (409) to its next event', async () => {
    const objects = [instance('a', { ttlSecondsAfterFinished: 0 })];
    const { gc, deleted } = setup(objects, {}, FINISHED, ['a']);
    expect(await gc.reconcile('ns/d', new AbortController().signal)).toEqual({});
    expect(deleted).toEqual([]);
  });

  it('deletes nothing once leadership is lost', async () => {
    const { gc, deleted } = setup([instance('a', { ttlSecondsAfterFinished: 0 })], {}, FINISHED);
    const lost = new AbortController();
    lost.abort();
    await expect(gc.reconcile('ns/d', lost.signal)).rejects.toThrow('leadership lost');
    expect(deleted).toEqual([]);
  });
});
