import type { DagInstanceStatus } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import { workerLabelChange, type LabelChange } from './worker-labels.ts';

/**
 * The worker labels to add BEFORE the status write of the pass that starts
 * an instance, or undefined: every other write labels after its status
 * write (core/worker-labels.ts). Before its first status write an instance
 * is at its smallest (spec and metadata, no status): the API server decodes,
 * validates, tracks the fields of and stores that object for a label write
 * cheaper than the same object holding a whole pre-assigned
 * run. The write that gives a new instance its first task is the one on
 * the path from "created" to "first task running", so it labels first.
 * Only additions: a removal is never made ahead of the status that allows it.
 */
export function labelsBeforeStart(
  current: DagInstance,
  next: DagInstanceStatus,
  workers: ReadonlySet<string>,
): LabelChange | undefined {
  if (current.status?.dagRevision !== undefined || next.dagRevision === undefined) return undefined;
  const change = workerLabelChange(current.metadata.labels ?? {}, workers);
  return change === undefined || change.removes ? undefined : change;
}
