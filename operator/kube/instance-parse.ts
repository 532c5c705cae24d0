/**
 * The DagInstance parse of an informer, done again only for the task entries
 * that changed. A wide instance's status holds hundreds of task entries and
 * each watch event brings them all, while a write changes a few: the zod
 * parse of the unchanged ones was the largest part of a worker's CPU for each
 * event on the wide benchmark (docs/architecture.md, "Wide fan-out: where the
 * time goes").
 *
 * An entry equal to the one the previous parse returned for the same key is
 * that one again: the schemas have no transforms or defaults, so a parse
 * returns what it is given (unknown keys stripped), and parsing a parsed
 * entry returns an equal one. Only task maps this parse built are reused
 * from: one the cache got from elsewhere is parsed in full.
 */
import type { TaskStatus } from '../api/dag-instance.ts';
import { DagInstance } from '../api/objects.ts';

/** The task maps this module's parse returned, every entry a parse result. */
const parsedTasks = new WeakSet<object>();

/** `raw` parsed as a DagInstance, reusing `previous`'s equal task entries. */
export function parseInstance(raw: unknown, previous: DagInstance | undefined): DagInstance {
  const before = previous?.status?.tasks;
  const tasks = rawTasks(raw);
  if (!before || !parsedTasks.has(before) || !tasks || Object.hasOwn(tasks, '__proto__')) {
    return remember(DagInstance.parse(raw));
  }
  // Filled in the raw map's key order, as a full parse would: kept entries now, changed ones after their parse.
  const merged: Record<string, TaskStatus> = {};
  const changed: Record<string, unknown> = {};
  for (const key in tasks) {
    const old = Object.hasOwn(before, key) ? before[key] : undefined;
    if (old !== undefined && sameJson(tasks[key], old)) merged[key] = old;
    else {
      merged[key] = undefined as unknown as TaskStatus;
      changed[key] = tasks[key];
    }
  }
  const status = (raw as { status: Record<string, unknown> }).status;
  const parsed = DagInstance.parse({ ...(raw as object), status: { ...status, tasks: changed } });
  Object.assign(merged, parsed.status?.tasks);
  return remember({ ...parsed, status: { ...parsed.status, tasks: merged } });
}

function remember(obj: DagInstance): DagInstance {
  const tasks = obj.status?.tasks;
  if (tasks) parsedTasks.add(tasks);
  return obj;
}

/** `raw.status.tasks` when it is a plain object; anything else takes the full parse (and its error). */
function rawTasks(raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const status = (raw as { status?: unknown }).status;
  if (typeof status !== 'object' || status === null) return undefined;
  const tasks = (status as { tasks?: unknown }).tasks;
  if (typeof tasks !== 'object' || tasks === null || Array.isArray(tasks)) return undefined;
  return tasks as Record<string, unknown>;
}

/**
 * Whether two JSON values are equal (key order aside). Written out, since
 * `util.isDeepStrictEqual` cost more than the parse it saved.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const k in x) {
    if (!Object.hasOwn(y, k) || !sameJson(x[k], y[k])) return false;
    count++;
  }
  return count === Object.keys(y).length;
}
