/**
 * What the server sends the browser about instances: a row of the instance
 * list, and the live state of one instance (each task key's phase). Kept
 * small, since a 5,000-task instance sends its state on every change.
 */
import type { TaskPhase } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';

export type InstanceRow = {
  name: string;
  dag: string;
  phase: string;
  progress: string;
  created: string;
  duration: string;
  reason: string;
};

export function instanceRow(i: DagInstance): InstanceRow {
  const s = i.status;
  return {
    name: i.metadata.name,
    dag: i.spec.dagRef.name,
    phase: s?.phase ?? 'Pending',
    progress: s?.progress ?? '',
    created: i.metadata.creationTimestamp ?? '',
    duration: s?.duration ?? '',
    reason: s?.conditions?.find((c) => c.type === 'Succeeded')?.reason ?? '',
  };
}

/** Newest first, as a person looks for the run they just started. */
export function instanceRows(instances: readonly DagInstance[]): InstanceRow[] {
  return instances
    .map(instanceRow)
    .sort((a, b) => b.created.localeCompare(a.created) || a.name.localeCompare(b.name));
}

export type InstanceState = InstanceRow & {
  message: string;
  /** Every key of status.tasks (shards included) and its phase; absent keys are Pending. */
  tasks: Record<string, TaskPhase>;
  operations: Record<string, { result: string; at: string; message: string }>;
  vars: Record<string, string>;
};

/** The live state of an instance whose shards are reassembled (TaskShardStore.whole). */
export function instanceState(whole: DagInstance): InstanceState {
  const tasks: Record<string, TaskPhase> = {};
  for (const [key, t] of Object.entries(whole.status?.tasks ?? {})) tasks[key] = t.phase;
  const operations: InstanceState['operations'] = {};
  for (const [op, r] of Object.entries(whole.status?.operations ?? {})) {
    if (r) operations[op] = { result: r.result, at: r.at, message: r.message };
  }
  return {
    ...instanceRow(whole),
    message: whole.status?.message ?? '',
    tasks,
    operations,
    vars: { ...(whole.spec.vars ?? {}) },
  };
}
