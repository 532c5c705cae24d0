import { ApiException, type AppsV1Api, type V1ControllerRevision } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { RevisionInvalidError, RevisionMissingError, RevisionStore } from './revisions.ts';

/** A ControllerRevision API holding the given revisions by name; any other name is 404. */
function apps(revisions: Record<string, unknown>): AppsV1Api {
  const api = {
    readNamespacedControllerRevision: ({ name }: { name: string }) => {
      if (name in revisions) return Promise.resolve({ data: revisions[name] });
      const status = {
        kind: 'Status',
        code: 404,
        reason: 'NotFound',
        message: `${name} not found`,
      };
      return Promise.reject(new ApiException(404, 'Not Found', JSON.stringify(status), {}));
    },
  };
  return api as unknown as AppsV1Api;
}

const snapshot = (tasks: unknown[]): V1ControllerRevision['data'] => ({
  dag: 'd',
  generation: 1,
  spec: { tasks },
});

describe('RevisionStore.load', () => {
  it('loads a snapshot with its graph', async () => {
    const store = new RevisionStore(apps({ ok: snapshot([{ id: 'a', actionName: 'A' }]) }));
    const loaded = await store.load('ns', 'ok');
    expect(loaded.revision).toBe('ok');
    expect(loaded.graph.order).toEqual(['a']);
  });

  it('reads a snapshot once for the loads that ask for it at the same time', async () => {
    let reads = 0;
    const api = apps({ ok: snapshot([{ id: 'a', actionName: 'A' }]) });
    const read = api.readNamespacedControllerRevision.bind(api);
    api.readNamespacedControllerRevision = (args: { namespace: string; name: string }) => {
      reads++;
      return read(args);
    };
    const store = new RevisionStore(api);
    const loads = await Promise.all(Array.from({ length: 8 }, () => store.load('ns', 'ok')));
    expect(reads).toBe(1);
    expect(new Set(loads).size).toBe(1);
  });

  it('says a deleted snapshot is missing', async () => {
    const load = new RevisionStore(apps({})).load('ns', 'gone');
    await expect(load).rejects.toThrow(RevisionMissingError);
    await expect(load).rejects.toThrow('Dag snapshot ns/gone no longer exists');
  });

  it.each([
    ['unreadable', { dag: 'd' }, /^Dag snapshot ns\/bad is unreadable: generation: /],
    [
      'without a graph',
      snapshot([
        { id: 'a', actionName: 'A', dependOn: ['b'] },
        { id: 'b', actionName: 'A', dependOn: ['a'] },
      ]),
      /^Dag snapshot ns\/bad is invalid: /,
    ],
  ])('says a snapshot that exists but is %s is invalid, not missing', async (_, data, message) => {
    const load = new RevisionStore(apps({ bad: data })).load('ns', 'bad');
    await expect(load).rejects.toThrow(RevisionInvalidError);
    await expect(load).rejects.toThrow(message);
  });
});

/**
 * A ControllerRevision API whose deletes wait until `finishDelete` is called,
 * and that records the order of creates and deletes.
 */
function racingApps() {
  const calls: string[] = [];
  let finishDelete: () => void = () => {};
  const api = {
    createNamespacedControllerRevision: ({ body }: { body: V1ControllerRevision }) => {
      calls.push(`create ${body.metadata?.name}`);
      return Promise.resolve(body);
    },
    deleteNamespacedControllerRevision: ({ name }: { name: string }) => {
      calls.push(`delete ${name}`);
      return new Promise<void>((resolve) => {
        finishDelete = () => {
          calls.push(`deleted ${name}`);
          resolve();
        };
      });
    },
  };
  return { api: api as unknown as AppsV1Api, calls, finishDelete: () => finishDelete() };
}

describe('RevisionStore.delete and ensure', () => {
  const spec = { tasks: [{ id: 'a', actionName: 'A' }] };
  const dag = { namespace: 'ns', name: 'd' };
  const name = RevisionStore.nameFor('d', spec);

  it('an ensure during a deletion waits for it and creates the snapshot again', async () => {
    let now = 1000;
    const { api, calls, finishDelete } = racingApps();
    const store = new RevisionStore(api, () => now);
    await store.ensure(dag, 1, spec);
    now = 5000;
    const deleted = store.delete({ namespace: 'ns', name }, 'uid-1', 2000);
    // An instance starts while the delete is in flight: its ensure must not
    // answer from the cache, and must create only after the delete.
    const ensured = store.ensure(dag, 1, spec);
    await Promise.resolve();
    expect(calls).toEqual([`create ${name}`, `delete ${name}`]);
    finishDelete();
    expect(await deleted).toBe(true);
    expect((await ensured).revision).toBe(name);
    expect(calls).toEqual([
      `create ${name}`,
      `delete ${name}`,
      `deleted ${name}`,
      `create ${name}`,
    ]);
    expect(store.lastUsed('ns', name)).toBe(5000);
  });

  it('does not delete a snapshot handed out after the collection decided', async () => {
    let now = 1000;
    const { api, calls } = racingApps();
    const store = new RevisionStore(api, () => now);
    now = 3000;
    await store.ensure(dag, 1, spec);
    expect(await store.delete({ namespace: 'ns', name }, 'uid-1', 2000)).toBe(false);
    expect(calls).toEqual([`create ${name}`]);
  });
});
