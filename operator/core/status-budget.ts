/**
 * Keeps an instance under its byte bound whatever the DAG: while the
 * object is above 75 % of the bound, tasks that would newly enter
 * status.tasks stay Pending (absent from the map) until results and
 * compaction make room. Tasks already in the map (retries, reassignments)
 * are never held: they do not grow it.
 */
import {
  ACTIVE_TASK_PHASES,
  type DagInstanceStatus,
  type TaskStatus,
} from '../api/dag-instance.ts';
import { entryBytes } from './compaction.ts';
import type { Assignment } from './decide.ts';

/** The share of the bound above which no new task is assigned. */
export const ASSIGN_BELOW = 0.75;

export interface Held {
  status: DagInstanceStatus;
  assigned: Assignment[];
  /** How many new tasks were held back. */
  held: number;
}

/**
 * The decided status with the newest assignments of tasks that were absent
 * or Pending in `before` taken back once the object would pass 75 % of
 * `maxBytes`, in the order decide made them. `besides` is the rest of the
 * object (metadata, spec). The task map is atomic for field management (the
 * CRD schema), so metadata.managedFields does not grow with its entries and a
 * new entry counts once. One is always kept when no task holds a worker, so
 * an instance never waits on itself.
 */
export function holdNewTasks(
  decided: DagInstanceStatus,
  before: Readonly<Record<string, TaskStatus>> | undefined,
  assigned: readonly Assignment[],
  maxBytes: number,
  besides = 0,
): Held {
  const isNew = (a: Assignment): boolean => (before?.[a.task]?.phase ?? 'Pending') === 'Pending';
  const fresh = assigned.filter(isNew);
  if (fresh.length === 0) return { status: decided, assigned: [...assigned], held: 0 };
  const tasks = { ...decided.tasks };
  for (const a of fresh) {
    const was = before?.[a.task];
    if (was === undefined) delete tasks[a.task];
    else tasks[a.task] = was;
  }
  let bytes = besides + Buffer.byteLength(JSON.stringify({ ...decided, tasks }));
  const budget = maxBytes * ASSIGN_BELOW;
  let live = Object.values(tasks).some((t) => ACTIVE_TASK_PHASES.has(t.phase));
  const kept = new Set<Assignment>(assigned.filter((a) => !isNew(a)));
  for (const a of fresh) {
    const entry = decided.tasks?.[a.task];
    if (entry === undefined) continue;
    const size = entryBytes(a.task, entry);
    if (live && bytes + size > budget) break;
    tasks[a.task] = entry;
    bytes += size;
    live = true;
    kept.add(a);
  }
  return {
    status: { ...decided, tasks },
    assigned: assigned.filter((a) => kept.has(a)),
    held: fresh.length - (kept.size - (assigned.length - fresh.length)),
  };
}
