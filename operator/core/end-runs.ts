import type { DagSpec } from '../api/dag.ts';
import { instanceFinished, type DagInstanceStatus } from '../api/dag-instance.ts';
import { findCondition } from './conditions.ts';
import { listingOrder } from './grown-graph.ts';
import { outputsOf, renderParams } from './templates.ts';

/** What runs when an instance ends: its Dag's onFailure (Failed only) and onExit (any end). */
export const END_RUNS = ['onFailure', 'onExit'] as const;
export type EndRunKind = (typeof END_RUNS)[number];

/** The status field that records each kind's run, once it is started. */
export const END_RUN_FIELD = {
  onFailure: 'onFailureInstance',
  onExit: 'onExitInstance',
} as const satisfies Record<EndRunKind, keyof DagInstanceStatus>;

/** What one end run starts: an instance of `dagName` with `vars`. */
export interface EndRun {
  kind: EndRunKind;
  dagName: string;
  vars: Record<string, string>;
}

/** The instance that ended, as its end runs read it. */
export interface Ended {
  name: string;
  status: DagInstanceStatus;
  /** Its vars (declared defaults, then its own). */
  vars: Readonly<Record<string, string>>;
  /** It is itself an end run: it starts none, so a Dag that names itself cannot loop. */
  isEndRun: boolean;
}

/**
 * The runs an ended instance's Dag asks for and that are not started yet
 * (Conductor's failureWorkflow, Argo's onExit): `spec.onFailure` when it
 * ended Failed, `spec.onExit` whatever its phase. Vars: failedInstance
 * (onFailure) or instance (onExit), phase (onExit), reason (its message),
 * failedTasks (the ids of its Failed tasks, comma-separated), then the run's
 * vars rendered over the instance's vars and task outputs (they may override
 * those). Should they not render, the run starts without them and its
 * `reason` says why: the handler runs, and the problem is where its reader
 * looks.
 */
export function endRuns(spec: DagSpec, ended: Ended): EndRun[] {
  const { status } = ended;
  if (ended.isEndRun || !instanceFinished(status.phase)) return [];
  const wanted = END_RUNS.filter(
    (kind) =>
      spec[kind] !== undefined &&
      status[END_RUN_FIELD[kind]] === undefined &&
      (kind === 'onExit' || status.phase === 'Failed'),
  );
  return wanted.map((kind) => endRun(spec, kind, spec[kind]!, ended));
}

/**
 * The keys of the Failed tasks as the instance lists them: each Dag task
 * followed by its failed copies and iterations in number order (`fanout[3]`
 * before `fanout[10]`); a loop body id, which only mirrors the iteration
 * that failed (`step#2`), is left out.
 */
function failedKeys(spec: DagSpec, status: DagInstanceStatus): string[] {
  const mirrors = new Set(spec.tasks.flatMap((t) => t.loop?.body ?? []));
  const failed = Object.fromEntries(
    Object.entries(status.tasks ?? {}).filter(([k, t]) => t.phase === 'Failed' && !mirrors.has(k)),
  );
  return listingOrder(
    spec.tasks.map((t) => t.id),
    failed,
  ).filter((k) => failed[k] !== undefined);
}

function endRun(
  spec: DagSpec,
  kind: EndRunKind,
  run: NonNullable<DagSpec[EndRunKind]>,
  ended: Ended,
): EndRun {
  const { status } = ended;
  const failedTasks = failedKeys(spec, status);
  const reason =
    status.message ?? findCondition(status.conditions, 'Succeeded')?.message ?? status.phase ?? '';
  const sources = { vars: ended.vars, shareData: {}, outputs: outputsOf(status.tasks ?? {}) };
  const rendered = renderParams(run.vars ?? {}, sources, `${kind}.vars`);
  const more: Record<string, string> = {};
  const values = rendered.ok ? (rendered.value as Record<string, unknown>) : {};
  for (const [name, v] of Object.entries(values)) {
    more[name] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const why = rendered.ok ? reason : `${reason} (${kind}.vars not given: ${rendered.message})`;
  const who: Record<string, string> =
    kind === 'onFailure'
      ? { failedInstance: ended.name }
      : { instance: ended.name, phase: status.phase ?? '' };
  return {
    kind,
    dagName: run.dagName,
    vars: { ...who, reason: why.slice(0, 8192), failedTasks: failedTasks.join(','), ...more },
  };
}
