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
