import { ApiException, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ACTIONS_ANNOTATION, CAPACITY_ANNOTATION } from '../api/names.ts';
import { silentLogger } from '../log.ts';
import { collectDeadWorkerLeases } from './lease-gc.ts';
import { LoadIndex } from './load-index.ts';
import { WorkerRegistry } from './worker-registry.ts';

function lease(name: string, rv: string): V1Lease {
  return {
    metadata: {
      name,
      resourceVersion: rv,
      annotations: { [ACTIONS_ANNOTATION]: '["print"]', [CAPACITY_ANNOTATION]: '4' },
    },
    spec: { holderIdentity: name, leaseDurationSeconds: 10 },
  };
}

describe('collectDeadWorkerLeases', () => {
  it('deletes, conditioned on the resourceVersion seen, only Leases long expired with no task', async () => {
    let now = 0;
    const registry = new WorkerRegistry({
      onChange: () => {},
      log: silentLogger(),
      now: () => now,
    });
    registry.observe(lease('dead-idle', '5'));
    registry.observe(lease('dead-busy', '6'));
    now = 5_000;
    registry.observe(lease('alive', '7'));
    const load = new LoadIndex();
    load.update('ns/run', { tasks: { a: { phase: 'Running', worker: 'dead-busy', attempt: 1 } } });
    const calls: unknown[] = [];
    const coordination = {
      deleteNamespacedLease: (req: unknown) => {
        calls.push(req);
        return Promise.resolve({});
      },
    } as unknown as CoordinationV1Api;
    const deps = {
      coordination,
      namespace: 'ns',
      registry,
      load,
      graceMs: 60_000,
      log: silentLogger(),
    };

    now = 10_000 + 59_000; // expired, but not for the whole grace yet
    expect(await collectDeadWorkerLeases(deps)).toBe(0);
    now = 10_000 + 60_000;
    expect(await collectDeadWorkerLeases(deps)).toBe(1);
    expect(calls).toEqual([
      { name: 'dead-idle', namespace: 'ns', body: { preconditions: { resourceVersion: '5' } } },
    ]);
    registry.stop();
  });

  it('takes a Lease renewed meanwhile (409) or already gone (404) in its stride', async () => {
    let now = 0;
    const registry = new WorkerRegistry({
      onChange: () => {},
      log: silentLogger(),
      now: () => now,
    });
    registry.observe(lease('w1', '1'));
    registry.observe(lease('w2', '2'));
    now = 1_000_000;
    const codes = [409, 404];
    const coordination = {
      deleteNamespacedLease: () =>
        Promise.reject(new ApiException(codes.shift() ?? 500, 'no', '{}', {})),
    } as unknown as CoordinationV1Api;
    const deps = {
      coordination,
      namespace: 'ns',
      registry,
      load: new LoadIndex(),
      graceMs: 0,
      log: silentLogger(),
    };
    await expect(collectDeadWorkerLeases(deps)).resolves.toBe(0);
    registry.stop();
  });
});
