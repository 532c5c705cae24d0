import { instanceFinished } from '../api/dag-instance.ts';
import { DagSpec } from '../api/dag.ts';
import { WORKER_LABEL_PREFIX } from '../api/names.ts';
import type { DagInstance } from '../api/objects.ts';
import { pendingOperations } from '../core/operations.ts';

/** Finished instances need no work unless they still carry worker labels or an operation is asked for. */
export function needsReconcile(instance: DagInstance): boolean {
  const { status, metadata } = instance;
  if (!status || !instanceFinished(status.phase)) return true;
  if (pendingOperations(metadata.annotations, status.operations).length > 0) return true;
  return Object.keys(metadata.labels ?? {}).some((k) => k.startsWith(WORKER_LABEL_PREFIX));
}

/** A Dag's spec.maxRunningInstances, read from its raw cached object (undefined: none, or gone). */
export function maxRunningInstancesOf(raw: unknown): number | undefined {
  const spec = (raw as { spec?: { maxRunningInstances?: unknown } } | undefined)?.spec;
  const parsed = DagSpec.shape.maxRunningInstances.safeParse(spec?.maxRunningInstances);
  return parsed.success ? parsed.data : undefined;
}
