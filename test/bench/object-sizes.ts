/**
 * The largest object in the bench namespace, as JSON bytes: what the API
 * server stores and sends to every watcher. Read after a workload, when
 * statuses are at their largest (they only grow while an instance runs).
 */
import { CoreV1Api, AppsV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { BenchApi } from './instances.ts';

export type Largest = { bytes: number; what: string };

export async function largestObject(kc: KubeConfig, api: BenchApi): Promise<Largest> {
  const ns = api.namespace;
  const [configMaps, revisions, instances] = await Promise.all([
    kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: ns }),
    kc.makeApiClient(AppsV1Api).listNamespacedControllerRevision({ namespace: ns }),
    api.listInstances(),
  ]);
  const all = [
    ...configMaps.items.map((o) => ({ kind: 'ConfigMap', name: o.metadata?.name ?? '', o })),
    ...revisions.items.map((o) => ({
      kind: 'ControllerRevision',
      name: o.metadata?.name ?? '',
      o,
    })),
    ...instances.items.map((o) => ({ kind: 'DagInstance', name: o.metadata.name, o })),
  ];
  let largest: Largest = { bytes: 0, what: '(none)' };
  for (const { kind, name, o } of all) {
    const bytes = Buffer.byteLength(JSON.stringify(o));
    if (bytes > largest.bytes) largest = { bytes, what: `${kind} ${name}` };
  }
  return largest;
}
