/**
 * Everything the task panel shows: the task as the Dag declares it, its
 * current attempt and the earlier ones kept (history), the params it ran
 * with and its output (values kept in attempt-data ConfigMaps read back),
 * and the traces of its attempts (the reader of `kubectl fastflow logs`).
 */
import type { TaskStatus } from '../api/dag-instance.ts';
import type { TaskSpec } from '../api/dag.ts';
import type { DagInstance } from '../api/objects.ts';
import type { AttemptTrace } from '../store/traces.ts';
import type { UiBackend } from './backend.ts';
import { baseIdOf } from '../core/grown-graph.ts';

export type TaskDetails = {
  key: string;
  /** The Dag's declaration of the task (of the task it grew from, for a copy). */
  spec: unknown;
  status: TaskStatus | { phase: 'Pending' };
  traces: AttemptTrace[];
  /** The operations and signals that may apply to it now (the operator decides for sure). */
  actions: string[];
};

/** What the panel offers for a task in `phase`; the operator refuses what does not apply. */
export function taskActions(phase: string, waiting: boolean): string[] {
  switch (phase) {
    case 'Failed':
    case 'Canceled':
      return ['retry', 'rerun'];
    case 'Blocked':
      return ['continue', 'cancel'];
    case 'Pending':
      return waiting ? ['approve', 'reject', 'cancel', 'skip'] : ['skip', 'cancel'];
    case 'Running':
      return waiting ? ['approve', 'reject', 'cancel'] : ['cancel'];
    case 'Scheduled':
    case 'Retrying':
      return ['cancel'];
    default:
      return ['rerun'];
  }
}

/** The Dag's declaration of `key`, or of the task it grew from. */
async function declaration(
  backend: UiBackend,
  instance: DagInstance,
  key: string,
): Promise<TaskSpec | undefined> {
  const graph = await backend.graph(instance);
  if (!('graph' in graph)) return undefined;
  return graph.graph.tasks.get(key) ?? graph.graph.tasks.get(baseIdOf(key));
}

export async function taskDetails(
  backend: UiBackend,
  namespace: string,
  name: string,
  key: string,
): Promise<TaskDetails | undefined> {
  const instance = await backend.instance(namespace, name);
  const spec = await declaration(backend, instance, key);
  const status = instance.status?.tasks?.[key];
  if (!spec && !status) return undefined;
  const waiting = spec?.type === 'approval' || spec?.type === 'wait';
  return {
    key,
    spec: spec ?? null,
    status: status ?? { phase: 'Pending' },
    traces: await backend.traces(namespace, name, key),
    actions: taskActions(status?.phase ?? 'Pending', waiting),
  };
}
