import { TaskResult, type DagInstance } from '../api/objects.ts';
import {
  instanceResource,
  taskResultResource,
  type dagResource,
  type scheduleResource,
} from '../api/names.ts';
import type { KubeClients } from './client.ts';
import { Informer, type InformerOptions, type ListPage } from './informer.ts';
import { parseInstance } from './instance-parse.ts';
import type { KubeObject } from './types.ts';

/** What an informer on one of fastflow's kinds is told, besides the kind. */
export type CollectionOptions<T> = Omit<InformerOptions<T>, 'path' | 'list'> & {
  /** Watch this namespace only; all namespaces when unset (cluster-wide list/watch). */
  namespace?: string | undefined;
};

type CustomResource =
  | typeof dagResource
  | typeof instanceResource
  | typeof scheduleResource
  | typeof taskResultResource;

/**
 * An informer on one of fastflow's custom resources, in one namespace or in
 * all of them: the one place that pairs a watch path with its LIST call.
 */
export function collectionInformer<T extends KubeObject>(
  clients: KubeClients,
  resource: CustomResource,
  opts: CollectionOptions<T>,
): Informer<T> {
  const { namespace, ...rest } = opts;
  return new Informer<T>(clients.kc, {
    ...rest,
    path: collectionPath(resource, namespace),
    list: (o) =>
      (namespace
        ? clients.custom.listNamespacedCustomObject({ ...resource, namespace, ...o })
        : clients.custom.listClusterCustomObject({ ...resource, ...o })) as Promise<
        ListPage<unknown>
      >,
  });
}

/** The URL path a watch of the collection uses: all namespaces, or one. */
function collectionPath(resource: CustomResource, namespace: string | undefined): string {
  const base = `/apis/${resource.group}/${resource.version}`;
  return namespace
    ? `${base}/namespaces/${namespace}/${resource.plural}`
    : `${base}/${resource.plural}`;
}

/**
 * An informer on DagInstances that hands out parsed, typed objects: the one
 * place a watched DagInstance is parsed. One that does not match the schema
 * is logged and left out of the cache (never a crash).
 */
export function instanceInformer(
  clients: KubeClients,
  opts: Omit<CollectionOptions<DagInstance>, 'parse'>,
): Informer<DagInstance> {
  return collectionInformer(clients, instanceResource, {
    ...opts,
    parse: parseInstance,
  });
}

/** An informer on the workers' TaskResults, parsed like the DagInstance one. */
export function taskResultInformer(
  clients: KubeClients,
  opts: Omit<CollectionOptions<TaskResult>, 'parse'>,
): Informer<TaskResult> {
  return collectionInformer(clients, taskResultResource, {
    ...opts,
    parse: (raw) => TaskResult.parse(raw),
  });
}
