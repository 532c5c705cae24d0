import { instanceFinished, type InstancePhase } from '../api/dag-instance.ts';
import { DagLifecycle } from '../api/lifecycle.ts';
import { DAG_INSTANCE, WORKER_LABEL_PREFIX } from '../api/names.ts';
import type { DagInstance } from '../api/objects.ts';
import { pendingOperations } from './operations.ts';

/** A finished instance, as far as its deletion is concerned. */
export interface FinishedInstance {
  key: string;
  phase: InstancePhase;
  /** When it finished (ms since the epoch). */
  finishedAt: number;
  /** Its own spec.ttlSecondsAfterFinished, when set. */
  ttlSecondsAfterFinished?: number;
}

export type GcReason = 'TTLExpired' | 'HistoryLimit';

export interface InstanceGcPlan {
  /** Instances to delete now, each once, with why. */
  delete: { key: string; reason: GcReason }[];
  /** When the next instance's TTL runs out (nothing to wait for: undefined). */
  wakeAt?: Date;
}

/**
 * Which finished instances of one Dag to delete now, and when to look again.
 * TTL: the instance's own value, else the Dag's, else the operator's default
 * (0 there means keep). History limits: within each of the succeeded and the
 * failed-or-canceled instances, the newest `limit` are kept and the older
 * ones deleted (ties broken by key, so every pass chooses the same ones).
 */
export function planInstanceGc(
  instances: readonly FinishedInstance[],
  dag: DagLifecycle,
  operatorTtlSeconds: number,
  now: Date,
): InstanceGcPlan {
  const reasons = new Map<string, GcReason>();
  let wakeAt: number | undefined;
  for (const i of instances) {
    const ttl = ttlOf(i, dag, operatorTtlSeconds);
    if (ttl === undefined) continue;
    const expiresAt = i.finishedAt + ttl * 1000;
    if (expiresAt <= now.getTime()) reasons.set(i.key, 'TTLExpired');
    else wakeAt = Math.min(wakeAt ?? expiresAt, expiresAt);
  }
  const newestFirst = [...instances].sort(
    (a, b) => b.finishedAt - a.finishedAt || a.key.localeCompare(b.key),
  );
  const buckets: [limit: number | undefined, members: FinishedInstance[]][] = [
    [dag.successfulInstancesHistoryLimit, newestFirst.filter((i) => i.phase === 'Succeeded')],
    [dag.failedInstancesHistoryLimit, newestFirst.filter((i) => i.phase !== 'Succeeded')],
  ];
  for (const [limit, members] of buckets) {
    if (limit === undefined) continue;
    for (const i of members.slice(limit)) {
      if (!reasons.has(i.key)) reasons.set(i.key, 'HistoryLimit');
    }
  }
  return {
    delete: [...reasons].map(([key, reason]) => ({ key, reason })),
    ...(wakeAt === undefined ? {} : { wakeAt: new Date(wakeAt) }),
  };
}

function ttlOf(i: FinishedInstance, dag: DagLifecycle, operatorTtl: number): number | undefined {
  const ttl = i.ttlSecondsAfterFinished ?? dag.ttlSecondsAfterFinished;
  if (ttl !== undefined) return ttl;
  return operatorTtl > 0 ? operatorTtl : undefined;
}

/**
 * The instance as `planInstanceGc` sees it, when it has finished and the
 * operator is done with it: a terminal phase, no operation waiting (a retry
 * asked for reopens it, so it must not be deleted under the user's feet), and
 * no worker label left to remove (the instance reconciler's last write),
 * and not a subDag child (collected with its parent).
 */
export function finishedInstanceOf(key: string, i: DagInstance): FinishedInstance | undefined {
  const status = i.status;
  if (!status || !instanceFinished(status.phase)) return undefined;
  if (pendingOperations(i.metadata.annotations, status.operations).length > 0) return undefined;
  const labels = Object.keys(i.metadata.labels ?? {});
  if (labels.some((l) => l.startsWith(WORKER_LABEL_PREFIX))) return undefined;
  // A subDag child goes with its parent (its ownerReference), never before: the parent reads it.
  const owners = (i.metadata as { ownerReferences?: { kind?: string }[] }).ownerReferences;
  if (owners?.some((o) => o.kind === DAG_INSTANCE.kind)) return undefined;
  const finishedAt = Date.parse(status.finishTime ?? i.metadata.creationTimestamp ?? '');
  if (Number.isNaN(finishedAt)) return undefined;
  const ttl = i.spec.ttlSecondsAfterFinished;
  return {
    key,
    phase: status.phase,
    finishedAt,
    ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }),
  };
}

/** The lifecycle fields of a Dag's raw spec; a missing or unreadable Dag sets none. */
export function dagLifecycleOf(spec: unknown): DagLifecycle {
  const parsed = DagLifecycle.safeParse(spec);
  return parsed.success ? parsed.data : {};
}
