import type { DagInstanceStatus, TaskStatus } from '../api/dag-instance.ts';
import { attemptKey, parseAttemptKey } from '../api/task-result.ts';
import type { DagGraph } from './graph.ts';
import { mergePatchDiff } from './merge-patch.ts';

/**
 * Whether the operator may hold back a status write because all it carries
 * is the progress of pre-assigned chains whose workers do not need it yet
 * (docs/architecture.md, "Chains at in-process speed"): a worker that knows
 * enough steps ahead runs them without the operator, and its results wait,
 * durable, in its TaskResult. Holding costs nothing on a crash (the next
 * pass folds the same results again: level-triggered) and is never done for
 * anything else a write carries: a failure, a voided step, a new ordinary
 * assignment, an operation, a deadline, a shard, the instance's phase.
 */

/** Status fields besides the tasks that may wait with them (what only reports progress). */
export const MAY_WAIT = new Set(['tasks', 'progress', 'message', 'conditions', 'counts']);

/** Entry fields a fold of the worker's own report changes (heartbeats are timed: never held). */
const FOLDED = new Set([
  'phase',
  'startedAt',
  'finishedAt',
  'output',
  'outputRef',
  'params',
  'paramsRef',
  'message',
  'after',
  'scheduledAt',
]);

export interface ChainHoldInput {
  graph: DagGraph;
  /** The status as last written. */
  written: DagInstanceStatus;
  /** The status decided now. */
  decided: DagInstanceStatus;
  /** The operator's chainLookAhead: a run keeps half of it ahead before the write goes. */
  lookAhead: number;
  /** mergePatchDiff(written, decided): the write hold computes it once per pass for every check. */
  diff: unknown;
}

/**
 * True when every change from `written` to `decided` is a pre-assigned
 * chain moving on its worker (a step started or succeeded, a step added at
 * the end of a run that has some) and each run that moved still has steps
 * its worker was given and has not started: at least half the look-ahead
 * when the decision would hand it more, at least one when its chain has
 * none to add. The worker does not run dry while the write waits.
 */
export function mayHoldChainWrite(input: ChainHoldInput): boolean {
  const { written, decided } = input;
  if (input.lookAhead <= 0) return false;
  const diff = input.diff as Record<string, unknown> | undefined;
  if (diff === undefined) return false;
  if (!Object.keys(diff).every((k) => MAY_WAIT.has(k))) return false;
  const before = written.tasks ?? {};
  const after = decided.tasks ?? {};
  const changed = Object.keys(diff['tasks'] ?? {});
  if (changed.length === 0) return false;
  const runs = new Set<string>();
  /** Runs the decision hands more steps: those the worker may need soon. */
  const extended = new Set<string>();
  let folds = 0;
  for (const id of changed) {
    const was = before[id];
    const now = after[id];
    if (now === undefined) return false;
    if (isFold(was, now)) {
      folds += 1;
      runs.add(headOf(before, id));
    } else if (isExtension(was, now)) {
      const known = knownAncestor(before, after, id);
      if (known === undefined) return false;
      extended.add(headOf(before, known));
    } else return false;
  }
  // Steps added alone are a run that ran short for another reason: worth writing now.
  if (folds === 0) return false;
  const keep = Math.max(1, Math.floor(input.lookAhead / 2));
  // A run handed out to the end of its chain needs no write until its last step is done.
  return [...runs, ...extended].every((head) => {
    const left = unstarted(input.graph, before, after, head);
    return left >= keep || (left >= 1 && !extended.has(head));
  });
}

/** The worker's own report folded: same worker and attempt, started or succeeded. */
export function isFold(was: TaskStatus | undefined, now: TaskStatus): boolean {
  if (was === undefined || (was.phase !== 'Scheduled' && was.phase !== 'Running')) return false;
  if (now.worker !== was.worker || now.attempt !== was.attempt) return false;
  if (now.phase !== 'Scheduled' && now.phase !== 'Running' && now.phase !== 'Succeeded')
    return false;
  const fields = new Set([...Object.keys(was), ...Object.keys(now)]);
  for (const f of fields) {
    if (FOLDED.has(f)) continue;
    if (mergePatchDiff(was[f as keyof TaskStatus], now[f as keyof TaskStatus]) !== undefined)
      return false;
  }
  return true;
}

/** A step pre-assigned now behind its parent. */
function isExtension(was: TaskStatus | undefined, now: TaskStatus): boolean {
  return (
    (was === undefined || was.phase === 'Pending') &&
    now.phase === 'Scheduled' &&
    now.after !== undefined &&
    now.worker !== undefined
  );
}

/** The nearest step before a newly pre-assigned one that its worker was given already. */
function knownAncestor(
  before: Readonly<Record<string, TaskStatus>>,
  after: Readonly<Record<string, TaskStatus>>,
  id: string,
): string | undefined {
  let at = id;
  for (let guard = 0; guard < 10_000; guard++) {
    const parent = parseAttemptKey(after[at]?.after ?? '')?.task;
    if (parent === undefined) return undefined;
    const known = before[parent];
    if (known && known.phase !== 'Pending') return parent;
    at = parent;
  }
  return undefined;
}

/** The first step of the run `id` is in, as written: back along `after` to a step without it. */
function headOf(before: Readonly<Record<string, TaskStatus>>, id: string): string {
  let at = id;
  for (let guard = 0; guard < 10_000; guard++) {
    const parent = parseAttemptKey(before[at]?.after ?? '')?.task;
    if (parent === undefined || before[parent] === undefined) return at;
    at = parent;
  }
  return at;
}

/**
 * Steps of the run from `head` on, as written (each the sole child of the
 * one before, Scheduled on the same worker after it), that the decision
 * still shows unstarted: what the worker has left to run without a write.
 */
function unstarted(
  graph: DagGraph,
  before: Readonly<Record<string, TaskStatus>>,
  after: Readonly<Record<string, TaskStatus>>,
  head: string,
): number {
  let n = after[head]?.phase === 'Scheduled' ? 1 : 0;
  for (let at = nextStep(graph, before, head); at !== undefined; at = nextStep(graph, before, at)) {
    if (after[at]?.phase === 'Scheduled') n += 1;
  }
  return n;
}

/** The step written behind `at` in its run: its sole child, Scheduled on the same worker after it. */
function nextStep(
  graph: DagGraph,
  before: Readonly<Record<string, TaskStatus>>,
  at: string,
): string | undefined {
  const [child, ...others] = graph.children.get(at) ?? [];
  if (child === undefined || others.length > 0) return undefined;
  const step = before[child];
  if (step?.phase !== 'Scheduled' || step.worker !== before[at]?.worker) return undefined;
  return step.after === attemptKey(at, before[at]?.attempt ?? 1) ? child : undefined;
}
