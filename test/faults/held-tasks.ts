/**
 * Which task attempts a worker holds, and waiting until the operator has
 * given them to another attempt (it declared the worker dead), read from the
 * harness's watch of the instances.
 */
import { TERMINAL_TASK_PHASES, type TaskPhase } from '../../operator/api/dag-instance.ts';
import { sleep, type FaultSystem } from './system.ts';

export type HeldAttempt = { instance: string; task: string; attempt: number };

/** The attempts `lease` holds (Scheduled or Running) in the named instances. */
function heldBy(sys: FaultSystem, names: readonly string[], lease: string): HeldAttempt[] {
  const held: HeldAttempt[] = [];
  for (const instance of names) {
    for (const [task, t] of Object.entries(sys.watch.get(instance)?.status?.tasks ?? {})) {
      if (t.worker === lease && (t.phase === 'Running' || t.phase === 'Scheduled')) {
        held.push({ instance, task, attempt: t.attempt ?? 1 });
      }
    }
  }
  return held;
}

/** Among the workers' Leases, the one holding the most Running attempts, with them. */
export function busiestWorker(
  sys: FaultSystem,
  names: readonly string[],
  leases: readonly string[],
): { lease: string; held: HeldAttempt[] } | undefined {
  let best: { lease: string; held: HeldAttempt[] } | undefined;
  for (const lease of leases) {
    const held = heldBy(sys, names, lease);
    if (held.length > 0 && (best === undefined || held.length > best.held.length)) {
      best = { lease, held };
    }
  }
  return best;
}

/** Whether the attempt was replaced by a later one (or ended on its own before the fault took hold). */
function moved(sys: FaultSystem, h: HeldAttempt): 'reassigned' | 'finished' | undefined {
  const t = sys.watch.get(h.instance)?.status?.tasks?.[h.task];
  if (t === undefined) return undefined;
  if ((t.attempt ?? 1) > h.attempt) return 'reassigned';
  return TERMINAL_TASK_PHASES.has(t.phase as TaskPhase) ? 'finished' : undefined;
}

/**
 * Resolves with performance.now() when every held attempt was reassigned or
 * had finished, and how many were reassigned; undefined if not within `timeoutMs`.
 */
export async function waitReassigned(
  sys: FaultSystem,
  held: readonly HeldAttempt[],
  timeoutMs: number,
): Promise<{ at: number; reassigned: number } | undefined> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const states = held.map((h) => moved(sys, h));
    if (states.every((s) => s !== undefined)) {
      return { at: performance.now(), reassigned: states.filter((s) => s === 'reassigned').length };
    }
    await sleep(100);
  }
  return undefined;
}
