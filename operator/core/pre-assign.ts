import type { TaskSpec } from '../api/dag.ts';
import { ACTIVE_TASK_PHASES, type TaskStatus } from '../api/dag-instance.ts';
import { attemptKey, parseAttemptKey } from '../api/task-result.ts';
import { inSwitchCase } from './control/switch.ts';
import { branchGate } from './control/switch-branch.ts';
import { loopOf } from './grown-graph.ts';
import type { DagGraph } from './graph.ts';
import { DONE_OK } from './instance-summary.ts';
import { evaluatePreCheck, orderedChecks } from './prechecks.ts';
import { phaseOf, transition } from './task-transitions.ts';
import type { WorkerView } from './worker-pool.ts';

/**
 * Chains at in-process speed (docs/architecture.md): the sole successor of
 * a task a worker holds is pre-assigned to that worker, `after` the
 * parent's attempt, and the worker starts it in the same process the moment
 * the parent succeeds. These are the operator's pure rules for it.
 */

/**
 * Whether a pre-assigned task's reports may count yet: `open` once its
 * parent succeeded at the attempt it was pre-assigned behind (or it is not
 * pre-assigned), `wait` while that attempt is still active on the same
 * worker, `closed` when it never will (the parent failed, was retried,
 * canceled or moved to another worker).
 */
export type PreAssignmentGate = 'open' | 'wait' | 'closed';

export function preAssignmentGate(
  tasks: Readonly<Record<string, TaskStatus>>,
  entry: TaskStatus,
): PreAssignmentGate {
  if (entry.after === undefined) return 'open';
  const ref = parseAttemptKey(entry.after);
  const parent = ref && tasks[ref.task];
  if (!parent || parent.attempt !== ref.attempt) return 'closed';
  // An attempt number is never reused, so it names its worker: a parent moved into a shard
  // keeps only its phase and attempt.
  if (parent.phase === 'Succeeded')
    return entry.afterCase ? branchGate(tasks, entry.afterCase) : 'open';
  if (parent.worker !== entry.worker) return 'closed';
  return ACTIVE_TASK_PHASES.has(parent.phase) ? 'wait' : 'closed';
}

/**
 * Pre-assignments that can no longer start go back to Pending, their
 * attempt number spent (fencing never sees one number twice) but not
 * counted toward the retry limit: the parent's attempt did not succeed, the
 * worker holding both is lost (the parent then gets a new attempt, and the
 * child is pre-assigned again behind it), or the instance is paused (nothing
 * new starts, and a step waiting behind its parent would). Runs before a
 * decision visits the tasks, so a lost worker's pre-assigned task is never
 * placed on its own ahead of its parent. One whose parent has succeeded
 * drops `after` here, in the pass that folds that success, before the
 * parent's entry can move into a shard.
 */
export function voidPreAssignments(
  tasks: Readonly<Record<string, TaskStatus>>,
  { workers: live, now }: { workers: readonly WorkerView[]; now: Date },
  paused = false,
): Record<string, TaskStatus> {
  const next = { ...tasks };
  // A voided step voids the one behind it: again until none is left to void.
  for (let changed = true; changed;) {
    changed = false;
    for (const [id, entry] of Object.entries(next)) {
      if (entry.phase !== 'Scheduled' || entry.after === undefined) continue;
      const gate = preAssignmentGate(next, entry);
      const lost = !live.some((w) => w.name === entry.worker);
      if (gate === 'open') {
        // Its parent succeeded: it waits no more, and the parent may move into a shard.
        // Its schedule-to-start clock starts now: the wait behind the parent is not the worker's.
        const { after: _after, afterCase: _case, ...ready } = entry;
        next[id] = { ...ready, scheduledAt: now.toISOString() };
        continue;
      }
      if (gate === 'wait' && !lost && !paused) continue;
      const why = gate === 'wait' && !lost ? 'the instance was paused' : 'it did not succeed';
      next[id] = voided(entry, why);
      changed = true;
    }
  }
  return next;
}

/** The named steps still waiting behind their parent, taken back to Pending (`why` says for what). */
export function unassignWaiting(
  tasks: Readonly<Record<string, TaskStatus>>,
  ids: readonly string[],
  why: string,
): Readonly<Record<string, TaskStatus>> {
  const waiting = ids.filter((id) => {
    const t = tasks[id];
    return t?.phase === 'Scheduled' && preAssignmentGate(tasks, t) === 'wait';
  });
  if (waiting.length === 0) return tasks;
  const next = { ...tasks };
  for (const id of waiting) next[id] = voided(next[id] as TaskStatus, why);
  return next;
}

export function voided(entry: TaskStatus, why: string): TaskStatus {
  return transition(entry, 'PreAssignmentVoided', {
    ...keptAcrossPlacements(entry),
    ...(entry.attempt ? { attempt: entry.attempt } : {}),
    voided: (entry.voided ?? 0) + 1,
    reason: 'PreAssignmentVoided',
    message: `pre-assigned behind ${entry.after} on worker ${entry.worker}, but ${why}`,
  });
}

/** Steps pre-assigned ahead when the operator's `chainLookAhead` setting is not given. */
export const DEFAULT_LOOK_AHEAD = 16;

/**
 * Steps waiting behind their parents in one instance, at most: each is a
 * live status entry, so many parallel chains share this many instead of
 * each taking `chainLookAhead` (the object's bytes, and every write's cost).
 */
export const MAX_WAITING_STEPS = 64;

export interface PreAssignInput {
  graph: DagGraph;
  tasks: Readonly<Record<string, TaskStatus>>;
  /** Live workers: the parent's worker must have the successor's action. */
  workers: readonly WorkerView[];
  /** The instance's vars: a vars preCheck is decided now (vars never change). */
  vars: Readonly<Record<string, string>>;
  /** Steps pre-assigned ahead of each task a worker runs; 0: none. */
  lookAhead: number;
  now: Date;
  /** Actions under a cluster-wide limit (--action-concurrency, --action-rate): never pre-assigned. */
  limited?: ReadonlySet<string>;
}

export interface PreAssigned {
  tasks: Record<string, TaskStatus>;
  assigned: { task: string; worker: string; attempt: number }[];
}

/** A chain being extended: the last step reached so far, and the worker it runs on. */
interface Run {
  parent: string;
  worker: WorkerView;
}

/**
 * From each task a worker holds and may run now (not itself waiting for a
 * parent), walks its chain of sole successors and pre-assigns them to the
 * same worker until `lookAhead` steps wait behind it, one step of every
 * chain before a deeper one of any, until the instance has
 * MAX_WAITING_STEPS waiting. Stops at a successor with another unfinished
 * parent, another sibling, a preCheck that reads share data (it must be
 * read when the task becomes ready) or that holds on the vars, an action
 * the worker lacks or one under a cluster-wide limit: the ordinary
 * assignment handles those when they become ready.
 */
export function preAssign(input: PreAssignInput): PreAssigned {
  const out: PreAssigned = { tasks: { ...input.tasks }, assigned: [] };
  if (input.lookAhead <= 0) return out;
  let runs: Run[] = [];
  for (const id of input.graph.order) {
    const head = out.tasks[id];
    if (!head || !ACTIVE_TASK_PHASES.has(head.phase) || !head.worker) continue;
    if (preAssignmentGate(out.tasks, head) !== 'open') continue;
    const worker = input.workers.find((w) => w.name === head.worker);
    if (worker) runs.push({ parent: id, worker });
  }
  const room = { left: MAX_WAITING_STEPS - waitingSteps(out.tasks) };
  for (let depth = 0; depth < input.lookAhead && runs.length > 0; depth++) {
    runs = runs.filter((run) => extendRun(input, out, run, room));
  }
  return out;
}

/** Takes `run` one step further (one already waiting there, or a new one); false where it stops. */
function extendRun(
  input: PreAssignInput,
  out: PreAssigned,
  run: Run,
  room: { left: number },
): boolean {
  const child = soleSuccessor(input.graph, out.tasks, run.parent);
  if (child === undefined) return false;
  const after = attemptKey(run.parent, out.tasks[run.parent]?.attempt ?? 1);
  const entry = out.tasks[child];
  run.parent = child;
  if (entry?.phase === 'Scheduled' && entry.after === after) return true;
  if (room.left <= 0 || inSwitchCase(input.graph, child)) return false;
  if (!mayPreAssign(input, child, entry, run.worker)) return false;
  room.left -= 1;
  const attempt = (entry?.attempt ?? 0) + 1;
  out.tasks[child] = transition(entry, 'PreAssigned', {
    ...(entry ? keptAcrossPlacements(entry) : {}),
    worker: run.worker.name,
    attempt,
    // No scheduledAt while it waits: the pass that drops `after` stamps it (its clock starts
    // there), and a run of waiting steps is most of the bytes of an instance's first write.
    after,
  });
  out.assigned.push({ task: child, worker: run.worker.name, attempt });
  return true;
}

/** Steps waiting behind a parent (pre-assigned, not yet started). */
export function waitingSteps(tasks: Readonly<Record<string, TaskStatus>>): number {
  let n = 0;
  for (const t of Object.values(tasks)) if (t.phase === 'Scheduled' && t.after) n++;
  return n;
}

/**
 * A decision's last step: pre-assigns chains behind the tasks it leaves
 * with workers, into the decision's tasks and assignments.
 */
export function preAssignChains(
  input: Pick<PreAssignInput, 'graph' | 'workers' | 'now'> & {
    vars?: Readonly<Record<string, string>>;
    chainLookAhead?: number;
    actionSlots?: ReadonlyMap<string, unknown>;
  },
  step: { tasks: Record<string, TaskStatus>; assigned: PreAssigned['assigned'] },
): void {
  const { graph, workers, vars = {}, chainLookAhead = DEFAULT_LOOK_AHEAD, now } = input;
  const pre = preAssign({
    graph,
    tasks: step.tasks,
    workers,
    vars,
    lookAhead: chainLookAhead,
    now,
    limited: new Set(input.actionSlots?.keys()),
  });
  step.tasks = pre.tasks;
  step.assigned.push(...pre.assigned);
}

/** The worker of the parent whose sole successor `id` is: a chain step stays on it. */
export function chainWorker(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
  id: string,
): string | undefined {
  const parent = graph.parents.get(id)?.find((p) => soleSuccessor(graph, tasks, p) === id);
  return parent === undefined ? undefined : tasks[parent]?.worker;
}

/** The only child of `parent`, when every other parent of that child has finished well. */
export function soleSuccessor(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
  parent: string,
): string | undefined {
  const [child, ...siblings] = graph.children.get(parent) ?? [];
  if (child === undefined || siblings.length > 0) return undefined;
  // A loop, not filter+every: a join of many parents is asked this once per parent each pass.
  for (const p of graph.parents.get(child) ?? []) {
    if (p !== parent && !DONE_OK.has(phaseOf(tasks[p]))) return undefined;
  }
  return child;
}

/**
 * A Pending action task the worker has the action of, no check of which
 * reads share data (read only when the task is ready), and none holds on the
 * vars. A chain stops at a task under a switch case (the switch decides it:
 * switch-look-ahead.ts pre-assigns those behind the switch's dependency).
 */
export function mayPreAssign(
  input: PreAssignInput,
  id: string,
  entry: TaskStatus | undefined,
  worker: WorkerView,
): boolean {
  const spec = input.graph.tasks.get(id);
  // A system task (no actionName) is decided by the operator, never pre-assigned; nor is a
  // fan-out (it runs as its copies) or a loop's body task (it runs as its iterations).
  if (phaseOf(entry) !== 'Pending' || spec?.actionName === undefined) return false;
  if (spec.forEach !== undefined || loopOf(input.graph, id) !== undefined) return false;
  if (!worker.actions.has(spec.actionName)) return false;
  // A limited action waits for its slot like any ready task: a step pre-assigned ahead would
  // hold a slot it may not use for long, or start past the rate the limiter counts at placement.
  if (input.limited?.has(spec.actionName)) return false;
  return checksAllowStart(spec, input.vars, entry?.continued ?? false);
}

function checksAllowStart(
  spec: TaskSpec,
  vars: Readonly<Record<string, string>>,
  continued: boolean,
): boolean {
  const checks = orderedChecks(spec.preCheck);
  if (checks.some((c) => c.conditions.some((k) => k.source === 'share-data'))) return false;
  return evaluatePreCheck(spec.preCheck, { vars, shareData: {} }, continued) === undefined;
}

/** What a task keeps from one placement to the next (decide's placements use it too). */
export function keptAcrossPlacements(
  entry: TaskStatus,
): Pick<TaskStatus, 'history' | 'historyDropped' | 'continued' | 'voided'> {
  return {
    ...(entry.history ? { history: entry.history } : {}),
    ...(entry.historyDropped ? { historyDropped: entry.historyDropped } : {}),
    ...(entry.continued ? { continued: true } : {}),
    ...(entry.voided ? { voided: entry.voided } : {}),
  };
}
