/**
 * The largest object in the bench namespace, as JSON bytes: what the API
 * server stores and sends to every watcher. Read after a workload (ConfigMaps,
 * snapshots, TaskShards, TaskResults left, instances), together with the
 * largest instance version the bench's watch saw during it: a status shrinks
 * when its finished entries move into shards.
 */
import { CoreV1Api, AppsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, TASK_RESULT, TASK_SHARD, VERSION } from '../../operator/api/names.ts';
import { errorText } from './errors.ts';
import type { BenchApi } from './instances.ts';

type Named = { metadata: { name: string } };

export type Largest = { bytes: number; what: string };

export async function largestObject(
  kc: KubeConfig,
  api: BenchApi,
  seen: Largest = { bytes: 0, what: '(none)' },
): Promise<Largest> {
  const ns = api.namespace;
  const custom = (plural: string) =>
    api.custom.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns,
      plural,
    });
  const [configMaps, revisions, instances, shards, results] = await Promise.all([
    kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: ns }),
    kc.makeApiClient(AppsV1Api).listNamespacedControllerRevision({ namespace: ns }),
    api.listInstances(),
    custom(TASK_SHARD.plural) as Promise<{ items: Named[] }>,
    custom(TASK_RESULT.plural) as Promise<{ items: Named[] }>,
  ]);
  const all = [
    ...configMaps.items.map((o) => ({ kind: 'ConfigMap', name: o.metadata?.name ?? '', o })),
    ...revisions.items.map((o) => ({
      kind: 'ControllerRevision',
      name: o.metadata?.name ?? '',
      o,
    })),
    ...instances.items.map((o) => ({ kind: 'DagInstance', name: o.metadata.name, o })),
    ...shards.items.map((o) => ({ kind: 'TaskShard', name: o.metadata.name, o })),
    ...results.items.map((o) => ({ kind: 'TaskResult', name: o.metadata.name, o })),
  ];
  let largest: Largest = seen;
  for (const { kind, name, o } of all) {
    const bytes = Buffer.byteLength(JSON.stringify(o));
    if (bytes > largest.bytes) largest = { bytes, what: `${kind} ${name}` };
  }
  return largest;
}

/** largestObject, or undefined (said in the log) when it cannot be read. */
export async function largestOrLog(
  kc: KubeConfig,
  api: BenchApi,
  seen: Largest | undefined,
  log: (m: string) => void,
): Promise<Largest | undefined> {
  try {
    return await largestObject(kc, api, seen);
  } catch (e) {
    log(`largest object: not measured: ${errorText(e)}`);
    return undefined;
  }
}
