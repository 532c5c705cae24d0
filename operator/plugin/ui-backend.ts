/**
 * The web view's reads and operations (operator/web's UiBackend), made of
 * the plugin's own: getInstance (the client's get, which reassembles
 * TaskShards and reads attempt-data ConfigMaps), instanceGraph (the snapshot
 * `tree` draws), the TraceStore reader of `logs`, and the client calls of
 * the operation commands. One connection, its namespace swapped per request.
 */
import { FastflowClientError } from '../../actions-runtime/client/client.ts';
import type { OperationRecord } from '../api/dag-instance.ts';
import { dagResource, OPERATION_ANNOTATIONS, type OperationName } from '../api/names.ts';
import { Dag, type DagInstance } from '../api/objects.ts';
import { BoundedMap } from '../core/bounded-map.ts';
import type { DagGraph } from '../core/graph.ts';
import { KubeApiError, kubeCall } from '../kube/errors.ts';
import { TaskShardStore } from '../store/task-shards.ts';
import { TraceStore } from '../store/traces.ts';
import {
  HttpError,
  type DagSummary,
  type OperationOutcome,
  type OperationRequest,
  type UiBackend,
} from '../web/backend.ts';
import type { Connection } from './connect.ts';
import { describeError, PluginError } from './errors.ts';
import { getInstance, instanceGraph } from './instance.ts';
import { orderTraces } from './logs.ts';
import { call } from './operations.ts';

/** Shards read once are kept (they never change): enough for a few large instances. */
const SHARD_CACHE = 1024;
/**
 * Graphs of Dag snapshots read (a snapshot never changes): the layout and the
 * task panel of an instance ask for its graph on every request.
 */
const SNAPSHOT_CACHE = 32;

export function uiBackend(conn: Connection): UiBackend {
  const shards = new TaskShardStore(conn.clients.custom, { cacheLimit: SHARD_CACHE });
  const traces = new TraceStore(conn.clients.core);
  const snapshots = new BoundedMap<string, DagGraph>({ maxEntries: SNAPSHOT_CACHE });
  const inNs = (namespace: string): Connection => ({ ...conn, namespace });
  return {
    clients: conn.clients,
    namespace: conn.namespace,
    async namespaces() {
      try {
        const list = await kubeCall(() => conn.clients.core.listNamespace());
        return list.items.map((n) => n.metadata?.name ?? '').filter((n) => n !== '');
      } catch (e) {
        // A user who may not list namespaces still sees their own.
        if (e instanceof KubeApiError) return [conn.namespace];
        throw e;
      }
    },
    async dags(namespace) {
      const page = (await kubeCall(() =>
        conn.clients.custom.listNamespacedCustomObject({ ...dagResource, namespace }),
      )) as { items?: unknown[] };
      return (page.items ?? []).flatMap((raw): DagSummary[] => {
        const parsed = Dag.safeParse(raw);
        if (!parsed.success) return [];
        const d = parsed.data;
        const valid = d.status?.conditions?.find((c) => c.type === 'Valid');
        return [
          {
            name: d.metadata.name,
            tasks: d.spec.tasks.length,
            valid: valid?.status ?? '',
            message: d.status?.message ?? '',
            created: d.metadata.creationTimestamp ?? '',
          },
        ];
      });
    },
    async instance(namespace, name) {
      try {
        return await getInstance(inNs(namespace), name);
      } catch (e) {
        if (e instanceof PluginError) throw new HttpError(404, e.message);
        throw e;
      }
    },
    whole: (instance: DagInstance) => shards.whole(instance),
    async graph(instance) {
      const namespace = instance.metadata.namespace ?? '';
      const revision = instance.status?.dagRevision;
      const kept = revision ? snapshots.get(`${namespace}/${revision}`) : undefined;
      if (kept) return { graph: kept, snapshot: revision };
      const found = await instanceGraph(inNs(namespace), instance);
      if (!('graph' in found)) return found;
      if (found.source !== 'snapshot' || !revision) return { graph: found.graph };
      snapshots.set(`${namespace}/${revision}`, found.graph);
      return { graph: found.graph, snapshot: revision };
    },
    async traces(namespace, name, task) {
      return orderTraces(await traces.read({ namespace, name }, task), undefined);
    },
    operate: (namespace, name, request) => operate(conn, { namespace, name }, request),
    describe(e) {
      const { message } = describeError(e, conn.server);
      return {
        status: e instanceof FastflowClientError && e.reason === 'Invalid' ? 400 : 502,
        message,
      };
    },
  };
}

/** The client call for `r`: a signal (approve, reject, signal) or an operation. */
function send(
  client: Connection['client'],
  ref: { namespace: string; name: string },
  r: OperationRequest,
): Promise<OperationRecord> {
  const tasks = r.tasks ?? [];
  const task = tasks[0] ?? '';
  const said = r.message ? { message: r.message } : {};
  if (r.op === 'approve') return client.approve(ref, task, said);
  if (r.op === 'reject') return client.reject(ref, task, said);
  if (r.op === 'signal') return client.signal(ref, task, r.payload);
  if (!Object.hasOwn(OPERATION_ANNOTATIONS, r.op)) {
    throw new HttpError(400, `"${r.op}" is not an operation`);
  }
  return call(client, r.op as OperationName, ref, tasks, r.vars ?? {}, undefined);
}

async function operate(
  conn: Connection,
  ref: { namespace: string; name: string },
  r: OperationRequest,
): Promise<OperationOutcome> {
  try {
    return { applied: true, message: (await send(conn.client, ref, r)).message };
  } catch (e) {
    if (e instanceof FastflowClientError && e.reason === 'Refused') {
      return { refused: e.record?.message ?? e.message };
    }
    if (e instanceof FastflowClientError && e.reason === 'NotFound')
      throw new HttpError(404, e.message);
    throw e;
  }
}
