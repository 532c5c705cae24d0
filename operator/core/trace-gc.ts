import {
  ACTIVE_TASK_PHASES,
  instanceFinished,
  type DagInstanceStatus,
} from '../api/dag-instance.ts';

/** A trace object (one attempt's trace ConfigMap) as the collection sees it. */
export interface TraceSeen {
  name: string;
  task: string;
  attempt: number;
  /** creationTimestamp (ms since the epoch). */
  createdAt: number;
}

/** How many traces an instance keeps: the last `attemptsPerTask` of each task, `perInstance` in all. */
export interface TraceLimits {
  attemptsPerTask: number;
  perInstance: number;
}

/**
 * A number that grows whenever an instance may have gained a trace beyond
 * its limits, judged from its status alone (0: it cannot have any): twice the
 * attempts beyond `attemptsPerTask` of each task, plus, once the attempts in
 * all exceed `perInstance`, two more for every tenth of `perInstance` beyond;
 * plus one once the instance has finished (every attempt has flushed its
 * trace by then: a last look makes the bounds exact). Attempts only grow, so
 * a changed mark means there may be something to collect, and the traces are
 * listed only then.
 */
export function traceGcMark(status: DagInstanceStatus, limits: TraceLimits): number {
  let beyondPerTask = 0;
  let total = 0;
  for (const t of Object.values(status.tasks ?? {})) {
    const attempts = t.attempt ?? 0;
    total += attempts;
    beyondPerTask += Math.max(0, attempts - limits.attemptsPerTask);
  }
  const step = Math.max(1, Math.ceil(limits.perInstance / 10));
  const beyondTotal =
    total > limits.perInstance ? Math.floor((total - limits.perInstance) / step) + 1 : 0;
  const excess = beyondPerTask + beyondTotal;
  if (excess === 0) return 0;
  const finished = instanceFinished(status.phase);
  return 2 * excess + (finished ? 1 : 0);
}

/**
 * The traces to delete: of each task, those older than its last
 * `attemptsPerTask` attempts; then, while more than `perInstance` remain, the
 * oldest ones, except the trace of an attempt still running.
 */
export function tracesToDelete(
  traces: readonly TraceSeen[],
  status: DagInstanceStatus,
  limits: TraceLimits,
): string[] {
  const latest = new Map<string, number>();
  for (const t of traces) latest.set(t.task, Math.max(latest.get(t.task) ?? 0, t.attempt));
  for (const [task, s] of Object.entries(status.tasks ?? {})) {
    latest.set(task, Math.max(latest.get(task) ?? 0, s.attempt ?? 0));
  }
  const doomed = new Set<string>();
  for (const t of traces) {
    if (t.attempt <= (latest.get(t.task) ?? 0) - limits.attemptsPerTask) doomed.add(t.name);
  }
  const running = (t: TraceSeen): boolean => {
    const s = status.tasks?.[t.task];
    return s !== undefined && s.attempt === t.attempt && ACTIVE_TASK_PHASES.has(s.phase);
  };
  const oldestFirst = traces
    .filter((t) => !doomed.has(t.name))
    .sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
  let over = oldestFirst.length - limits.perInstance;
  for (const t of oldestFirst) {
    if (over <= 0) break;
    if (running(t)) continue;
    doomed.add(t.name);
    over--;
  }
  return [...doomed];
}
