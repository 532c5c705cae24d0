/** Status fields that only report how far an instance has come. */
const PROGRESS_FIELDS = new Set(['progress', 'message', 'conditions']);
/**
 * Fields of a task entry a heartbeat changes: the count folded from the
 * worker's result, and when the operator saw it. Held back, the beat is not
 * lost: its TaskResult stays until a write, and is folded again meanwhile.
 */
const BEAT_FIELDS = new Set(['heartbeats', 'heartbeatAt']);

/**
 * Whether a status change only reports progress (the PROGRESS column, the
 * running message, heartbeats of running attempts): such a change is worth a
 * write of its own at most every so often. On a wide fan-out every batch of
 * results would otherwise cost the operator one more write of the whole
 * object, just to count; and every heartbeat one more write besides the
 * worker's own.
 */
export function isProgressOnly(diff: unknown): boolean {
  if (!isObject(diff)) return false;
  const keys = Object.keys(diff);
  return (
    keys.length > 0 &&
    keys.every((k) => PROGRESS_FIELDS.has(k) || (k === 'tasks' && onlyBeats(diff[k])))
  );
}

function onlyBeats(tasks: unknown): boolean {
  if (!isObject(tasks)) return false;
  const entries = Object.values(tasks);
  return (
    entries.length > 0 &&
    entries.every((e) => isObject(e) && Object.keys(e).every((k) => BEAT_FIELDS.has(k)))
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
