import { ApiException, type CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { SchemaGc } from './schema-gc.ts';

const NAMED = 'fastflow-actions-00000000000000aa';
const OLD = 'fastflow-actions-00000000000000bb';

const configMap = (name: string, rv = '1'): V1ConfigMap => ({
  metadata: { name, uid: `uid-${name}`, resourceVersion: rv },
});

/** A CoreV1Api that lists `items` and records (or refuses with `refuse`) each delete. */
function fakeCore(items: V1ConfigMap[], refuse?: number) {
  const deletes: unknown[] = [];
  const core = {
    listNamespacedConfigMap: () => Promise.resolve({ items }),
    deleteNamespacedConfigMap: (req: unknown) => {
      deletes.push(req);
      return refuse ? Promise.reject(new ApiException(refuse, 'no', {}, {})) : Promise.resolve({});
    },
  } as unknown as CoreV1Api;
  return { core, deletes };
}

function gc(core: CoreV1Api, named: string[] | undefined, clock: { now: number }) {
  return new SchemaGc({
    core,
    namespace: 'leases',
    registry: { schemasNamed: () => (named ? new Set(named) : undefined) },
    graceMs: 60_000,
    log: silentLogger(),
    now: () => clock.now,
  });
}

describe('SchemaGc', () => {
  it('deletes, as it was seen, a ConfigMap no Lease has named for the grace period', async () => {
    const clock = { now: 0 };
    const { core, deletes } = fakeCore([configMap(NAMED), configMap(OLD, '7')]);
    const collector = gc(core, [NAMED], clock);
    expect(await collector.collect()).toBe(0); // first seen unnamed: the count starts
    clock.now = 59_999;
    expect(await collector.collect()).toBe(0);
    clock.now = 60_000;
    expect(await collector.collect()).toBe(1);
    expect(deletes).toEqual([
      {
        name: OLD,
        namespace: 'leases',
        body: { preconditions: { uid: `uid-${OLD}`, resourceVersion: '7' } },
      },
    ]);
  });

  it('counts anew when a Lease names it meanwhile, or it was written again', async () => {
    const clock = { now: 0 };
    const items = [configMap(OLD, '1')];
    const { core, deletes } = fakeCore(items);
    const named: string[] = [];
    const collector = gc(core, named, clock);
    await collector.collect();
    clock.now = 30_000;
    named.push(OLD); // a worker started with these actions
    await collector.collect();
    named.pop(); // and left again
    clock.now = 60_000;
    await collector.collect();
    items[0] = configMap(OLD, '2');
    clock.now = 100_000;
    await collector.collect();
    expect(deletes).toEqual([]);
    clock.now = 160_000;
    expect(await collector.collect()).toBe(1);
  });

  it('deletes nothing while it cannot see the Leases', async () => {
    const clock = { now: 0 };
    const { core, deletes } = fakeCore([configMap(OLD)]);
    const collector = gc(core, undefined, clock);
    await collector.collect();
    clock.now = 1_000_000;
    expect(await collector.collect()).toBe(0);
    expect(deletes).toEqual([]);
  });

  it.each([404, 409])(
    'takes a ConfigMap gone or written again (%i) in its stride',
    async (code) => {
      const clock = { now: 0 };
      const { core, deletes } = fakeCore([configMap(OLD)], code);
      const collector = gc(core, [], clock);
      await collector.collect();
      clock.now = 60_000;
      expect(await collector.collect()).toBe(0);
      expect(deletes).toHaveLength(1);
    },
  );
});
