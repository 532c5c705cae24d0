import type { DagInstanceStatus } from '../api/dag-instance.ts';
import { MAY_WAIT, isFold } from './chain-hold.ts';

/**
 * Whether a status change only folds in the workers' own reports (attempts
 * started or succeeded, on the worker and at the attempt the status gave
 * them) and hands out nothing: no assignment, no failure, no retry, no
 * shard, no phase. No worker needs such a write (each knows its own
 * attempts), so it may wait like progress does (controller/write-hold.ts):
 * while a wave of 250 short tasks runs on its worker, the operator writes
 * the whole status once a second instead of once per batch of results. The
 * results stay in their TaskResults until a written status shows them, so a
 * crash loses nothing. `diff` is the merge patch from `written` to `decided`.
 */
export function isFoldOnly(
  diff: unknown,
  written: DagInstanceStatus,
  decided: DagInstanceStatus,
): boolean {
  if (typeof diff !== 'object' || diff === null || Array.isArray(diff)) return false;
  const fields = diff as Record<string, unknown>;
  if (!Object.keys(fields).every((k) => MAY_WAIT.has(k))) return false;
  const tasks = fields['tasks'];
  if (typeof tasks !== 'object' || tasks === null) return false;
  const changed = Object.keys(tasks);
  const before = written.tasks ?? {};
  const after = decided.tasks ?? {};
  return (
    changed.length > 0 &&
    changed.every((id) => {
      const now = after[id];
      return now !== undefined && isFold(before[id], now);
    })
  );
}
