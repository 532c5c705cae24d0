/** Status fields that only report how far an instance has come. */
const PROGRESS_FIELDS = new Set(['progress', 'message', 'conditions']);

/**
 * Whether a status change only reports progress (the PROGRESS column, the
 * running message): such a change is worth a write of its own at most every
 * so often. On a wide fan-out every batch of results would otherwise cost the
 * operator one more write of the whole object, just to count.
 */
export function isProgressOnly(diff: unknown): boolean {
  if (typeof diff !== 'object' || diff === null) return false;
  const keys = Object.keys(diff);
  return keys.length > 0 && keys.every((k) => PROGRESS_FIELDS.has(k));
}
