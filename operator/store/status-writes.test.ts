import { ApiException, type CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { DagInstance } from '../api/objects.ts';
import { syncWorkerLabels } from './status-writes.ts';

/** Records metadata patches; refuses with 409 those whose resourceVersion is not `current`. */
function labelApi(current: string): { api: CustomObjectsApi; sent: object[] } {
  const sent: object[] = [];
  const api = {
    patchNamespacedCustomObject: ({
      body,
    }: {
      body: { metadata: { resourceVersion?: string } };
    }) => {
      sent.push(body.metadata);
      const rv = body.metadata.resourceVersion;
      if (rv === undefined || rv === current) return Promise.resolve({});
      const status = { kind: 'Status', code: 409, reason: 'Conflict', message: 'modified' };
      return Promise.reject(new ApiException(409, 'Conflict', JSON.stringify(status), {}));
    },
  };
  return { api: api as unknown as CustomObjectsApi, sent };
}

const instance = (resourceVersion: string): DagInstance => ({
  apiVersion: 'fastflow.io/v1alpha1',
  kind: 'DagInstance',
  metadata: {
    name: 'i1',
    namespace: 'ns',
    resourceVersion,
    labels: { 'w.fastflow.io/w1': '', 'w.fastflow.io/w2': '' },
  },
  spec: { dagRef: { name: 'd' } },
});

/** What a fresh read finds: the instance at `resourceVersion` with w3 running a task. */
const reread = (resourceVersion: string) => (): Promise<DagInstance> =>
  Promise.resolve({
    ...instance(resourceVersion),
    status: { phase: 'Running', tasks: { t: { phase: 'Running', worker: 'w3', attempt: 1 } } },
  });

describe('syncWorkerLabels', () => {
  it('adds labels unconditionally; removes them conditionally on the version decided from', async () => {
    const { api, sent } = labelApi('7');
    // Each says which version its write replaced; none when nothing changes.
    expect(await syncWorkerLabels(api, instance('7'), new Set(['w1', 'w2']), reread('7'))).toEqual(
      [],
    );
    expect(
      await syncWorkerLabels(api, instance('7'), new Set(['w1', 'w2', 'w3']), reread('7')),
    ).toEqual(['7']);
    await syncWorkerLabels(api, instance('7'), new Set(['w2']), reread('7'));
    expect(sent).toEqual([
      { labels: { 'w.fastflow.io/w3': '' } },
      { labels: { 'w.fastflow.io/w1': null }, resourceVersion: '7' },
    ]);
  });

  it('when a newer version exists, labels the workers a fresh read says hold tasks', async () => {
    const { api, sent } = labelApi('8');
    expect(await syncWorkerLabels(api, instance('7'), new Set(['w2']), reread('8'))).toEqual(['8']);
    expect(sent).toEqual([
      { labels: { 'w.fastflow.io/w1': null }, resourceVersion: '7' },
      {
        labels: { 'w.fastflow.io/w3': '', 'w.fastflow.io/w1': null, 'w.fastflow.io/w2': null },
        resourceVersion: '8',
      },
    ]);
  });

  it('newer still after the fresh read: the additions go alone, the removals wait', async () => {
    const { api, sent } = labelApi('9');
    expect(await syncWorkerLabels(api, instance('7'), new Set(), reread('8'))).toEqual(['8']);
    expect(sent.slice(1)).toEqual([
      {
        labels: { 'w.fastflow.io/w3': '', 'w.fastflow.io/w1': null, 'w.fastflow.io/w2': null },
        resourceVersion: '8',
      },
      { labels: { 'w.fastflow.io/w3': '' } },
    ]);
  });
});
