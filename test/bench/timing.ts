/**
 * Figures computed from finished DagInstances: the times the operator and the
 * worker wrote into status.tasks (RFC 3339, ms), and the bench's own clock at
 * create time (same machine, same clock).
 */
import type { BenchDagSpec } from './dags.ts';
import type { InstanceObject } from './instances.ts';
import { ms, summarize } from './stats.ts';

/** When a task could start, and how long it took to be scheduled and to start. */
export type Hop = {
  task: string;
  /** startedAt − max(finishedAt of its dependencies): dependency done → dependent running. */
  total: number;
  /** scheduledAt − max(finishedAt of its dependencies): the operator's part. */
  toScheduled: number;
  /** startedAt − scheduledAt: the worker's part (watch event, slot, Running report). */
  toStarted: number;
};

/** One Hop per task that has dependencies, for one finished instance. */
export function hops(spec: BenchDagSpec, instance: InstanceObject): Hop[] {
  const tasks = instance.status?.tasks ?? {};
  const out: Hop[] = [];
  for (const t of spec.tasks) {
    const deps = t.dependOn ?? [];
    if (deps.length === 0) continue;
    const ready = Math.max(...deps.map((d) => ms(tasks[d]?.finishedAt)));
    const self = tasks[t.id];
    const started = ms(self?.startedAt);
    const scheduled = ms(self?.scheduledAt);
    out.push({
      task: t.id,
      total: started - ready,
      toScheduled: scheduled - ready,
      toStarted: started - scheduled,
    });
  }
  return out;
}

/** Client clock at create → the earliest startedAt of the DAG's root tasks. */
export function createToFirstStart(
  spec: BenchDagSpec,
  instance: InstanceObject,
  createdAtMs: number,
): number {
  const tasks = instance.status?.tasks ?? {};
  const starts = spec.tasks
    .filter((t) => (t.dependOn ?? []).length === 0)
    .map((t) => ms(tasks[t.id]?.startedAt))
    .filter((v) => Number.isFinite(v));
  return starts.length > 0 ? Math.min(...starts) - createdAtMs : NaN;
}

/** status.finishTime, else the last finishedAt of its tasks. */
export function finishedAt(instance: InstanceObject): number {
  const finish = ms(instance.status?.finishTime);
  if (Number.isFinite(finish)) return finish;
  const ends = Object.values(instance.status?.tasks ?? {})
    .map((t) => ms(t.finishedAt))
    .filter((v) => Number.isFinite(v));
  return ends.length > 0 ? Math.max(...ends) : NaN;
}

/** Tasks in status that ran on more than one attempt (a worker was thought lost). */
export function retriedTasks(instance: InstanceObject): number {
  return Object.values(instance.status?.tasks ?? {}).filter((t) => (t.attempt ?? 1) > 1).length;
}

/**
 * How much slower the end of a long chain hops than its start: p99 of the
 * last `n` hops ÷ p99 of the first `n` (hops in chain order). NaN when the
 * chain has fewer than 2n hops.
 */
export function hopGrowthRatio(hopsInOrder: readonly number[], n = 100): number {
  if (hopsInOrder.length < 2 * n) return NaN;
  const p99 = (xs: readonly number[]): number => summarize(xs).p99;
  return p99(hopsInOrder.slice(-n)) / p99(hopsInOrder.slice(0, n));
}
