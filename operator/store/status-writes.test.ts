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

describe('syncWorkerLabels', () => {
  it('adds labels unconditionally; removes them conditionally on the version decided from', async () => {
    const { api, sent } = labelApi('7');
    await syncWorkerLabels(api, instance('7'), new Set(['w1', 'w2', 'w3']));
    await syncWorkerLabels(api, instance('7'), new Set(['w2']));
    expect(sent).toEqual([
      { labels: { 'w.fastflow.io/w3': '' } },
      { labels: { 'w.fastflow.io/w1': null }, resourceVersion: '7' },
    ]);
  });

  it('when a newer version exists, makes the additions alone and leaves the removals', async () => {
    const { api, sent } = labelApi('8');
    await syncWorkerLabels(api, instance('7'), new Set(['w2', 'w3']));
    expect(sent).toEqual([
      { labels: { 'w.fastflow.io/w3': '', 'w.fastflow.io/w1': null }, resourceVersion: '7' },
      { labels: { 'w.fastflow.io/w3': '' } },
    ]);
    sent.length = 0;
    await syncWorkerLabels(api, instance('7'), new Set());
    expect(sent).toHaveLength(1); // refused, nothing to add: the newer write brings it back
  });
});
