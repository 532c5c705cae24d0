import {
  ACTIVE_TASK_PHASES,
  instanceFinished,
  type DagInstanceStatus,
} from '../api/dag-instance.ts';
import { WORKER_LABEL_PREFIX, workerLabel } from '../api/names.ts';

/**
 * The workers that must see an instance's writes (through the label their
 * watch selects on): those holding a Scheduled or Running task of it, none
 * once it has finished. Every other worker is spared its events.
 */
export function labelledWorkers(status: DagInstanceStatus): Set<string> {
  const workers = new Set<string>();
  if (instanceFinished(status.phase)) return workers;
  for (const t of Object.values(status.tasks ?? {})) {
    if (t.worker && ACTIVE_TASK_PHASES.has(t.phase)) workers.add(t.worker);
  }
  return workers;
}

export interface LabelChange {
  /** A metadata merge patch of the labels: `''` adds one, `null` removes it. */
  labels: Record<string, string | null>;
  /** Some worker loses its label: the write must be conditional on the version decided from. */
  removes: boolean;
}

/** What turns the instance's worker labels into exactly `workers`; undefined when they already are. */
export function workerLabelChange(
  labels: Readonly<Record<string, string>>,
  workers: ReadonlySet<string>,
): LabelChange | undefined {
  const change: Record<string, string | null> = {};
  let removes = false;
  for (const w of workers) if (!(workerLabel(w) in labels)) change[workerLabel(w)] = '';
  for (const key of Object.keys(labels)) {
    if (!key.startsWith(WORKER_LABEL_PREFIX)) continue;
    if (workers.has(key.slice(WORKER_LABEL_PREFIX.length))) continue;
    change[key] = null;
    removes = true;
  }
  return Object.keys(change).length === 0 ? undefined : { labels: change, removes };
}
