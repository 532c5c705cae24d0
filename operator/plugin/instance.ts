/**
 * Reading an instance and the Dag it runs: the snapshot named by
 * status.dagRevision (an apps/v1 ControllerRevision whose data.spec is the
 * Dag spec), or, before the instance started, the Dag itself.
 */
import { FastflowClientError } from '../../actions-runtime/client/client.ts';
import type { DagSpec } from '../api/dag.ts';
import { Dag, DagSnapshot, type DagInstance } from '../api/objects.ts';
import { buildGraph, type DagGraph } from '../core/graph.ts';
import { isNotFound, kubeCall } from '../kube/errors.ts';
import { dagResource } from '../api/names.ts';
import type { Connection } from './connect.ts';
import type { LoadInstance } from './sub-dag-tree.ts';
import { checkName } from './connect.ts';
import { PluginError } from './errors.ts';

export function instanceNotFound(name: string, namespace: string): PluginError {
  return new PluginError(`dagi "${name}" not found in namespace "${namespace}"`);
}

export function dagNotFound(name: string, namespace: string): PluginError {
  return new PluginError(`dag "${name}" not found in namespace "${namespace}"`);
}

/** Maps the client's NotFound for an instance to kubectl's wording. */
export function rethrowNotFound(e: unknown, name: string, namespace: string): never {
  if (e instanceof FastflowClientError && e.reason === 'NotFound') {
    throw instanceNotFound(name, namespace);
  }
  throw e;
}

export async function getInstance(conn: Connection, name: string): Promise<DagInstance> {
  checkName('instance name', name);
  try {
    return await conn.client.get({ namespace: conn.namespace, name });
  } catch (e) {
    rethrowNotFound(e, name, conn.namespace);
  }
}

/** The Dag object's spec, or undefined when it does not exist or does not parse. */
export async function getDagSpec(
  conn: Connection,
  name: string,
): Promise<{ spec: DagSpec } | { missing: true } | { invalid: string }> {
  let raw: unknown;
  try {
    raw = await kubeCall(() =>
      conn.clients.custom.getNamespacedCustomObject({
        ...dagResource,
        namespace: conn.namespace,
        name,
      }),
    );
  } catch (e) {
    if (isNotFound(e)) return { missing: true };
    throw e;
  }
  const parsed = Dag.safeParse(raw);
  return parsed.success ? { spec: parsed.data.spec } : { invalid: parsed.error.message };
}

export type InstanceGraph = {
  graph: DagGraph;
  /** Where the graph came from: the instance's snapshot, or the Dag as it is now. */
  source: 'snapshot' | 'dag';
};

/**
 * The graph the instance runs: its snapshot; before it has one, the Dag as
 * it is now. Undefined when neither can be read (the reason is returned).
 */
export async function instanceGraph(
  conn: Connection,
  instance: DagInstance,
): Promise<InstanceGraph | { problem: string }> {
  const revision = instance.status?.dagRevision;
  if (revision) {
    let raw: unknown;
    try {
      const cr = await kubeCall(() =>
        conn.clients.apps.readNamespacedControllerRevision({
          namespace: conn.namespace,
          name: revision,
        }),
      );
      raw = cr.data;
    } catch (e) {
      if (!isNotFound(e)) throw e;
      return { problem: `its Dag snapshot (ControllerRevision "${revision}") no longer exists` };
    }
    const snapshot = DagSnapshot.safeParse(raw);
    if (!snapshot.success) {
      return { problem: `its Dag snapshot (ControllerRevision "${revision}") is unreadable` };
    }
    return graphOf(snapshot.data.spec, 'snapshot');
  }
  const dagName = instance.spec.dagRef.name;
  const dag = await getDagSpec(conn, dagName);
  if ('missing' in dag) return { problem: `its Dag "${dagName}" does not exist` };
  if ('invalid' in dag) return { problem: `its Dag "${dagName}" does not match the schema` };
  return graphOf(dag.spec, 'dag');
}

function graphOf(
  spec: DagSpec,
  source: InstanceGraph['source'],
): InstanceGraph | { problem: string } {
  const built = buildGraph(spec.tasks);
  if (!built.ok) return { problem: built.problems.map((p) => p.message).join('; ') };
  return { graph: built.graph, source };
}

/** Reads a subDag child and its graph for the parent's view; a child not there (yet) is left out. */
export function childLoader(conn: Connection): LoadInstance {
  return async (name) => {
    let instance: DagInstance;
    try {
      instance = await conn.client.get({ namespace: conn.namespace, name });
    } catch (e) {
      if (e instanceof FastflowClientError && e.reason === 'NotFound') return undefined;
      throw e;
    }
    const graph = await instanceGraph(conn, instance);
    return 'graph' in graph ? { instance, graph: graph.graph } : undefined;
  };
}
