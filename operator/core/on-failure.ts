import type { DagSpec } from '../api/dag.ts';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import { findCondition } from './conditions.ts';
import { outputsOf, renderParams } from './templates.ts';

/** What a Dag's onFailure runs for one failed instance. */
export interface OnFailureRun {
  dagName: string;
  vars: Record<string, string>;
}

/**
 * The run a failed instance's `spec.onFailure` asks for (Conductor's
 * failureWorkflow), or undefined when there is none to start: the instance
 * did not end Failed, its Dag has no onFailure, it was started already
 * (status.onFailureInstance), or the instance is itself an onFailure run
 * (`isOnFailureRun`: a failing handler does not start another, so a Dag
 * that handles its own failures cannot loop). Vars: failedInstance,
 * reason (the instance's message), failedTasks (the ids of its Failed
 * tasks, comma-separated), then onFailure.vars rendered over the failed
 * instance's vars and task outputs (they may override the three). Should
 * they not render, the run starts without them and its `reason` says why:
 * the handler runs, and the problem is where its reader looks.
 */
export function onFailureRun(
  spec: DagSpec,
  failed: {
    name: string;
    status: DagInstanceStatus;
    vars: Readonly<Record<string, string>>;
    isOnFailureRun: boolean;
  },
): OnFailureRun | undefined {
  const { status } = failed;
  const onFailure = spec.onFailure;
  if (status.phase !== 'Failed' || !onFailure || status.onFailureInstance || failed.isOnFailureRun)
    return undefined;
  const failedTasks = Object.entries(status.tasks ?? {})
    .filter(([, t]) => t.phase === 'Failed')
    .map(([id]) => id)
    .sort();
  const reason =
    status.message ?? findCondition(status.conditions, 'Succeeded')?.message ?? 'failed';
  const sources = { vars: failed.vars, shareData: {}, outputs: outputsOf(status.tasks ?? {}) };
  const rendered = renderParams(onFailure.vars ?? {}, sources, 'onFailure.vars');
  const more: Record<string, string> = {};
  const values = rendered.ok ? (rendered.value as Record<string, unknown>) : {};
  for (const [name, v] of Object.entries(values)) {
    more[name] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const why = rendered.ok ? reason : `${reason} (onFailure.vars not given: ${rendered.message})`;
  return {
    dagName: onFailure.dagName,
    vars: {
      failedInstance: failed.name,
      reason: why.slice(0, 8192),
      failedTasks: failedTasks.join(','),
      ...more,
    },
  };
}
