/**
 * Creating Dags and DagInstances in the bench namespace and reading them
 * back; what an instance read from the API looks like, and what counts as
 * its progress. Following them all is instance-watch.ts.
 */
import type { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { instanceFinished, type TaskStatus } from '../../operator/api/dag-instance.ts';
import { API_VERSION, dagResource, instanceResource } from '../../operator/api/names.ts';
import { makeClients } from '../../operator/kube/client.ts';
import { TaskShardStore } from '../../operator/store/task-shards.ts';
import type { BenchDagSpec } from './dags.ts';

/**
 * A task entry as read from the API: the operator's TaskStatus, derived so a
 * field added there is here too (a hand copy once missed `voided`); partial
 * because a bench reader tolerates entries it did not write.
 */
export type TaskState = Partial<TaskStatus>;

export type InstanceObject = {
  metadata: {
    name: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
  status?: {
    phase?: string;
    /** TaskShards holding the finished entries moved out of `tasks`. */
    shards?: number;
    progress?: string;
    message?: string;
    startTime?: string;
    finishTime?: string;
    tasks?: Record<string, TaskState>;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
};

export function isTerminal(i: InstanceObject | undefined): boolean {
  return instanceFinished(i?.status?.phase);
}

/**
 * What counts as progress of an instance: its phase and each task's phase and
 * attempt. Labels, conditions and timestamps are left out, so an instance
 * whose status is rewritten without moving (a write loop) shows no progress.
 */
export function progressKey(i: InstanceObject): string {
  const tasks = Object.entries(i.status?.tasks ?? {})
    .map(([id, t]) => `${id}:${t.phase ?? ''}:${t.attempt ?? 1}`)
    .sort();
  return `${i.status?.phase ?? ''}|${tasks.join(',')}`;
}

/** One line about an instance's state, for error messages. */
export function describeInstance(i: InstanceObject | undefined): string {
  if (i === undefined) return 'not seen yet';
  const s = i.status;
  if (s === undefined) return 'no status (the operator has not written it)';
  const byPhase = new Map<string, number>();
  for (const t of Object.values(s.tasks ?? {})) {
    byPhase.set(t.phase ?? '?', (byPhase.get(t.phase ?? '?') ?? 0) + 1);
  }
  const tasks = [...byPhase].map(([p, n]) => `${p} ${n}`).join(', ') || 'none in status';
  const cond = s.conditions?.find((c) => c.type === 'Succeeded');
  const failed = Object.entries(s.tasks ?? {})
    .filter(([, t]) => t.phase === 'Failed')
    .slice(0, 3)
    .map(([id, t]) => `${id}: ${t.reason ?? ''} ${t.message ?? ''}`.trim());
  return [
    `phase ${s.phase ?? '(none)'}`,
    `progress ${s.progress ?? '?'}`,
    `tasks: ${tasks}`,
    ...(cond ? [`condition ${cond.status}/${cond.reason ?? ''}: ${cond.message ?? ''}`] : []),
    ...(s.message ? [`message: ${s.message}`] : []),
    ...(failed.length > 0 ? [`failed tasks: ${failed.join('; ')}`] : []),
  ].join('; ');
}

export class BenchApi {
  readonly custom: CustomObjectsApi;
  readonly namespace: string;

  constructor(kc: KubeConfig, namespace: string) {
    // The product's pooled keep-alive transport: a create does not pay a TLS handshake.
    this.custom = makeClients(kc, { userAgent: 'fastflow-bench' }).custom;
    this.namespace = namespace;
  }

  /** The instance with every task's entry, those moved into TaskShards included: hops read all. */
  async whole(i: InstanceObject): Promise<InstanceObject> {
    if (!i.status?.shards) return i;
    const owner = { namespace: this.namespace, name: i.metadata.name, uid: i.metadata.uid ?? '' };
    const parts = await new TaskShardStore(this.custom).readAll(owner, { shards: i.status.shards });
    const tasks = Object.assign({}, ...parts, i.status.tasks) as Record<string, TaskState>;
    return { ...i, status: { ...i.status, tasks } };
  }

  /** The bench's Dags and instances: in its namespace. */
  get #dags() {
    return { ...dagResource, namespace: this.namespace };
  }
  get #instances() {
    return { ...instanceResource, namespace: this.namespace };
  }

  async createDag(name: string, spec: BenchDagSpec): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      ...this.#dags,
      body: { apiVersion: API_VERSION, kind: 'Dag', metadata: { name }, spec },
    });
  }

  async getDagStatus(name: string): Promise<{ valid?: boolean; message?: string } | undefined> {
    const dag = (await this.custom.getNamespacedCustomObject({ ...this.#dags, name })) as {
      status?: { valid?: boolean; message?: string };
    };
    return dag.status;
  }

  async createInstance(name: string, dag: string): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      ...this.#instances,
      body: {
        apiVersion: API_VERSION,
        kind: 'DagInstance',
        metadata: { name },
        spec: { dagRef: { name: dag } },
      },
    });
  }

  async getInstance(name: string): Promise<InstanceObject> {
    return (await this.custom.getNamespacedCustomObject({
      ...this.#instances,
      name,
    })) as InstanceObject;
  }

  async listInstances(): Promise<{ items: InstanceObject[]; resourceVersion: string }> {
    const list = (await this.custom.listNamespacedCustomObject(this.#instances)) as {
      items: InstanceObject[];
      metadata?: { resourceVersion?: string };
    };
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }
}
