import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import { DagInstance } from '../api/objects.ts';
import { trimForCache } from '../kube/cache-trim.ts';
import { silentLogger } from '../log.ts';
import type { TaskShardStore } from '../store/task-shards.ts';
import { T0, at, graphOf, task, worker } from '../../test/support/decide-fixtures.ts';
import { InstanceShards } from './instance-shards.ts';

const WIDTH = 300;
const graph = graphOf([
  task('root'),
  ...Array.from({ length: WIDTH }, (_, i) => task(`w${i}`, ['root'])),
]);
const status: DagInstanceStatus = {
  phase: 'Running',
  dagRevision: 'dag-rev-1',
  startTime: T0.toISOString(),
  tasks: { root: { phase: 'Succeeded', attempt: 1, finishedAt: T0.toISOString() } },
};

/** The instance as served: `managedBytes` of managedFields (the API server's record of owners). */
function served(managedBytes: number): Record<string, unknown> {
  const managedFields = [{ manager: 'fastflow', fieldsV1: { pad: 'x'.repeat(managedBytes) } }];
  return {
    apiVersion: 'fastflow.io/v1alpha1',
    kind: 'DagInstance',
    metadata: { name: 'wide-1', namespace: 'ns', uid: 'u1', resourceVersion: '5', managedFields },
    spec: { dagRef: { name: 'wide' } },
    status,
  };
}

/** How many of the 300 ready tasks one pass assigns, the bound 32 KiB. */
async function assignedFor(instance: DagInstance): Promise<number> {
  const store = {} as TaskShardStore; // no shard is written or read: nothing has accumulated
  const shards = new InstanceShards({ store, maxObjectBytes: 32 * 1024, log: silentLogger() });
  const decision = await shards.decide(instance, {
    graph,
    status,
    workers: [worker('w', ['Print'], 1000)],
    generation: 1,
    now: at(1),
    chainLookAhead: 0,
  });
  return decision.assigned.length;
}

describe('InstanceShards: the bound holds for the whole object', () => {
  it('counts the managedFields the informer cache left out, as if they were there', async () => {
    const bare = await assignedFor(DagInstance.parse(served(0)));
    const whole = await assignedFor(DagInstance.parse(served(12 * 1024)));
    const cached = await assignedFor(trimForCache(served(12 * 1024), (r) => DagInstance.parse(r)));
    expect(bare).toBeLessThan(WIDTH); // the bound holds some back even without managedFields
    expect(whole).toBeLessThan(bare); // 12 KiB of managedFields leave room for fewer
    expect(cached).toBe(whole); // and the cache's trimmed copy is sized as the whole object
  });
});
