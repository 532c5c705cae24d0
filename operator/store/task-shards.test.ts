import type { CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../api/dag-instance.ts';
import { KubeApiError } from '../kube/errors.ts';
import { ShardUnreadableError, TaskShardStore, taskShardName } from './task-shards.ts';

const OWNER = { namespace: 'ns', name: 'run-1', uid: 'uid-1' };
const done = (s: string): TaskStatus => ({
  phase: 'Succeeded',
  finishedAt: `2026-01-01T00:00:0${s}.000Z`,
});

/** TaskShards by name behind create and get, as the API server keeps them. */
function fakeApi(): { api: CustomObjectsApi; objects: Map<string, object>; gets: string[] } {
  const objects = new Map<string, object>();
  const gets: string[] = [];
  const api = {
    createNamespacedCustomObject: ({ body }: { body: { metadata: { name: string } } }) => {
      if (objects.has(body.metadata.name)) {
        return Promise.reject(new KubeApiError(409, 'AlreadyExists', 'exists'));
      }
      objects.set(body.metadata.name, body);
      return Promise.resolve(body);
    },
    getNamespacedCustomObject: ({ name }: { name: string }) => {
      gets.push(name);
      const o = objects.get(name);
      return o ? Promise.resolve(o) : Promise.reject(new KubeApiError(404, 'NotFound', 'gone'));
    },
  } as unknown as CustomObjectsApi;
  return { api, objects, gets };
}

describe('TaskShardStore', () => {
  it('writes a shard owned by the instance, and on 409 returns the one already written', async () => {
    const { api, objects } = fakeApi();
    const store = new TaskShardStore(api);
    expect(await store.create(OWNER, 0, { a: done('1') })).toEqual({ a: done('1') });
    expect(objects.get('run-1-s0')).toMatchObject({
      kind: 'TaskShard',
      metadata: {
        labels: { 'fastflow.io/instance': 'run-1' },
        ownerReferences: [{ kind: 'DagInstance', name: 'run-1', uid: 'uid-1' }],
      },
      spec: { instance: 'run-1', index: 0 },
    });
    // A pass that died before its status write plans shard 0 again, perhaps otherwise.
    expect(await store.create(OWNER, 0, { b: done('2') })).toEqual({ a: done('1') });
  });

  it('refuses a shard that is missing or belongs to an earlier instance of the same name', async () => {
    const { api } = fakeApi();
    await new TaskShardStore(api).create({ ...OWNER, uid: 'old' }, 0, { a: done('1') });
    const store = new TaskShardStore(api);
    await expect(store.read(OWNER, 0)).rejects.toThrow(ShardUnreadableError);
    await expect(store.read(OWNER, 0)).rejects.toThrow('belongs to another instance');
    await expect(store.read(OWNER, 1)).rejects.toThrow('TaskShard run-1-s1 is missing');
  });

  it('makes an instance whole, live entries over sharded ones, reading each shard once', async () => {
    const { api, gets } = fakeApi();
    const writer = new TaskShardStore(api);
    await writer.create(OWNER, 0, { a: done('1'), b: { phase: 'Failed' } });
    await writer.create(OWNER, 1, { c: done('3') });
    const reader = new TaskShardStore(api, { cacheLimit: 10 });
    const instance = {
      apiVersion: 'fastflow.io/v1alpha1' as const,
      kind: 'DagInstance' as const,
      metadata: { name: 'run-1', namespace: 'ns', uid: 'uid-1' },
      spec: { dagRef: { name: 'd' } },
      status: {
        shards: 2,
        tasks: { b: { phase: 'Running' as const }, d: { phase: 'Running' as const } },
      },
    };
    const whole = await reader.whole(instance);
    expect(whole.status?.tasks).toEqual({
      a: done('1'),
      b: { phase: 'Running' },
      c: done('3'),
      d: { phase: 'Running' },
    });
    await reader.whole(instance);
    expect(gets).toEqual(['run-1-s0', 'run-1-s1']);
    expect(await reader.entries(OWNER, instance.status, ['a', 'd'])).toEqual({ a: done('1') });
  });

  it("finds a parent's entry from the newest shard down, then by its index: only the shard holding it", async () => {
    const { api, gets } = fakeApi();
    const writer = new TaskShardStore(api);
    for (let i = 0; i < 10; i++) await writer.create(OWNER, i, { [`t${i}`]: done(String(i)) });
    // No cache: a worker whose shard cache holds other instances.
    const reader = new TaskShardStore(api);
    const status = { shards: 10, tasks: {} };
    const lookup = async (task: string) => {
      gets.length = 0;
      const found = await reader.entries(OWNER, status, [task]);
      return { found, gets: [...gets] };
    };
    const newest = await lookup('t9');
    expect(newest.found).toEqual({ t9: done('9') });
    expect(newest.gets).toEqual(
      ['s9', 's8', 's7', 's6', 's5', 's4', 's3', 's2'].map((s) => `run-1-${s}`),
    );
    expect(await lookup('t0')).toEqual({
      found: { t0: done('0') },
      gets: ['run-1-s1', 'run-1-s0'],
    });
    expect(await lookup('t5')).toEqual({ found: { t5: done('5') }, gets: ['run-1-s5'] });
    expect(await lookup('gone')).toEqual({ found: {}, gets: [] });
    // Reopened by an operation and sharded again: the newest shard's entry is the one.
    await writer.create(OWNER, 10, { t5: { phase: 'Failed' } });
    const again = await reader.entries(OWNER, { shards: 11, tasks: {} }, ['t5']);
    expect(again).toEqual({ t5: { phase: 'Failed' } });
  });

  it('names shards within 253 characters, apart for long names sharing a prefix', () => {
    expect(taskShardName('run-1', 12)).toBe('run-1-s12');
    const [a, b] = [`${'x'.repeat(252)}a`, `${'x'.repeat(252)}b`];
    expect(taskShardName(a, 0).length).toBeLessThanOrEqual(253);
    expect(taskShardName(a, 0)).not.toBe(taskShardName(b, 0));
  });
});
