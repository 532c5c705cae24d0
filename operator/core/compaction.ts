/**
 * Which finished task entries leave an instance's status for a TaskShard,
 * and how the operator and the readers see the whole instance again. Pure:
 * the controller writes the shards and the status; the readers fetch them.
 */
import type { DagInstanceStatus, TaskPhase, TaskStatus } from '../api/dag-instance.ts';
import { MAX_SHARD_BYTES, SHARD_TASKS } from '../api/task-shard.ts';
import { grownKeys, parseGrownKey } from './grown-graph.ts';
import { phaseOf } from './task-transitions.ts';

/** Succeeded/Skipped entries: compacted as soon as a shard's worth has accumulated. */
const DONE: ReadonlySet<TaskPhase> = new Set(['Succeeded', 'Skipped']);
/** Failed/Canceled/Blocked entries: a user reads them, so the newest stay in status. */
const STOPPED: ReadonlySet<TaskPhase> = new Set(['Failed', 'Canceled', 'Blocked']);
/** Failed/Canceled/Blocked entries kept in status before the oldest are compacted. */
export const MAX_STOPPED_IN_STATUS = 100;
/**
 * Succeeded/Skipped entries that accumulate before a shard is written (then all of them go, up
 * to a shard's bounds), and the Failed/Canceled/Blocked ones a shard takes at a time (the
 * newest stay: a user reads them).
 */
export const COMPACT_AFTER = 32;
/**
 * The bytes of either kind kept in status before the oldest are compacted:
 * 31 entries with 8 KiB outputs, or 100 with 4 KiB messages, would not fit.
 */
export const MAX_FINISHED_BYTES = 64 * 1024;

/** One shard to write: `<instance>-s<index>`, with the entries it takes from status.tasks. */
export interface ShardPlan {
  index: number;
  tasks: Record<string, TaskStatus>;
}

/**
 * The next shard to write, or undefined when status is within its bounds:
 * the Succeeded/Skipped entries once 32 have accumulated (all of them, up to
 * SHARD_TASKS), else the oldest 32 Failed/Canceled/Blocked ones once more
 * than 100 have; either kind once its entries pass 64 KiB. Oldest by
 * finishedAt (then scheduledAt, then key), so the same status always yields
 * the same shard; the entries stop short of MAX_SHARD_BYTES.
 */
export function planShard(status: DagInstanceStatus): ShardPlan | undefined {
  const entries = Object.entries(status.tasks ?? {});
  const done = entries.filter(([, t]) => DONE.has(t.phase));
  const stopped = entries.filter(([, t]) => STOPPED.has(t.phase));
  const full = (kept: typeof entries, count: boolean): boolean =>
    count || entriesBytes(kept) > MAX_FINISHED_BYTES;
  const pick = full(done, done.length >= COMPACT_AFTER)
    ? done
    : full(stopped, stopped.length > MAX_STOPPED_IN_STATUS)
      ? stopped
      : undefined;
  if (pick === undefined) return undefined;
  const tasks: Record<string, TaskStatus> = {};
  let bytes = 0;
  const most = pick === done ? SHARD_TASKS : COMPACT_AFTER;
  for (const [key, entry] of pick.sort(byAge).slice(0, most)) {
    const size = entryBytes(key, entry);
    if (bytes > 0 && bytes + size > MAX_SHARD_BYTES) break;
    tasks[key] = entry;
    bytes += size;
  }
  return { index: status.shards ?? 0, tasks };
}

/** The room an entry takes in status.tasks or a shard: its key and its JSON. */
export function entryBytes(key: string, entry: TaskStatus): number {
  return Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(entry)) + 4;
}

function entriesBytes(entries: ReadonlyArray<[string, TaskStatus]>): number {
  return entries.reduce((sum, [key, entry]) => sum + entryBytes(key, entry), 0);
}

function byAge([ka, a]: [string, TaskStatus], [kb, b]: [string, TaskStatus]): number {
  const at = (t: TaskStatus): string => t.finishedAt ?? t.scheduledAt ?? '';
  return at(a).localeCompare(at(b)) || ka.localeCompare(kb);
}

/**
 * Status once shard `index` holds `tasks` (as planned, or as found already
 * written by an earlier pass): those entries leave status.tasks, and shards
 * counts it. An entry that changed since the shard was written (a retried
 * task) stays: status wins over a shard.
 */
export function afterShard(
  status: DagInstanceStatus,
  shard: { index: number; tasks: Readonly<Record<string, TaskStatus>> },
): DagInstanceStatus {
  const tasks = { ...status.tasks };
  for (const [key, entry] of Object.entries(shard.tasks)) {
    if (tasks[key] !== undefined && sameJson(tasks[key], entry)) delete tasks[key];
  }
  return { ...status, tasks, shards: Math.max(status.shards ?? 0, shard.index + 1) };
}

/**
 * Equal as JSON values, whatever the order of object keys: a shard read back
 * from the API server has its keys sorted, an entry folded in this pass not.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/**
 * What the operator keeps of a sharded entry to decide from: its phase, and
 * what an operation on it reads (retry counts attempts). Never its output,
 * params or history: those stay in the shard.
 */
export function shardedStub(entry: TaskStatus, key?: string): TaskStatus {
  const grown = key === undefined ? undefined : parseGrownKey(key);
  const copy = grown !== undefined && 'copy' in grown;
  return {
    phase: entry.phase,
    ...(entry.attempt !== undefined ? { attempt: entry.attempt } : {}),
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
    // A fan-out's output lists its copies' outputs, gathered when the last one ends.
    ...(copy && entry.output !== undefined ? { output: entry.output } : {}),
    ...(copy && entry.outputRef !== undefined ? { outputRef: entry.outputRef } : {}),
  };
}

/**
 * The status `decide` reads: every sharded task's stub where status has no
 * entry, so a compacted parent counts as finished, a compacted task is not
 * started again, and the instance's phase and progress count every task.
 */
export function withSharded(
  status: DagInstanceStatus,
  sharded: ReadonlyMap<string, TaskStatus>,
): DagInstanceStatus {
  if (sharded.size === 0) return status;
  const tasks: Record<string, TaskStatus> = {};
  for (const [key, stub] of sharded) tasks[key] = stub;
  return { ...status, tasks: { ...tasks, ...status.tasks } };
}

/**
 * The decided status without the stubs `decide` left as they were (the
 * same objects): what is written. A stub it changed (an operation reopened
 * the task) is a live entry again and stays.
 */
export function withoutSharded(
  status: DagInstanceStatus,
  sharded: ReadonlyMap<string, TaskStatus>,
): DagInstanceStatus {
  if (sharded.size === 0 || status.tasks === undefined) return status;
  const tasks = { ...status.tasks };
  for (const [key, stub] of sharded) if (tasks[key] === stub) delete tasks[key];
  return { ...status, tasks };
}

/** Tasks by phase over the graph's keys and the grown ones, wherever their entries live. */
export function countPhases(
  order: readonly string[],
  tasks: Readonly<Record<string, TaskStatus>>,
  sharded: ReadonlyMap<string, TaskStatus>,
): Partial<Record<TaskPhase, number>> {
  const counts: Partial<Record<TaskPhase, number>> = {};
  const count = (entry: TaskStatus | undefined): void => {
    const phase = phaseOf(entry);
    counts[phase] = (counts[phase] ?? 0) + 1;
  };
  for (const id of order) count(tasks[id] ?? sharded.get(id));
  // Keys grown at run time (fan-out copies, loop iterations) count as tasks too.
  for (const key of grownKeys(tasks)) count(tasks[key]);
  for (const [key, stub] of sharded) if (!tasks[key] && parseGrownKey(key)) count(stub);
  return counts;
}

/**
 * The instance in today's shape: status.tasks holding every task's entry,
 * the shards' entries under the live ones (status wins: a task reopened
 * after it was sharded). What `kubectl fastflow get -o json` and the SDK return.
 */
export function reassemble<T extends { status?: DagInstanceStatus }>(
  instance: T,
  shards: ReadonlyArray<{ tasks: Readonly<Record<string, TaskStatus>> }>,
): T {
  if (shards.length === 0 || instance.status === undefined) return instance;
  const tasks: Record<string, TaskStatus> = {};
  for (const shard of shards) Object.assign(tasks, shard.tasks);
  return {
    ...instance,
    status: { ...instance.status, tasks: { ...tasks, ...instance.status.tasks } },
  };
}
