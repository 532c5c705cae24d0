import type { DagInstanceStatus, TaskStatus } from '../api/dag-instance.ts';
import type { TaskSpec } from '../api/dag.ts';
import { SIGNAL_ANNOTATION, SIGNAL_BY_ANNOTATION } from '../api/names.ts';
import { attemptKey } from '../api/task-result.ts';
import { taskTypeOf } from '../api/task-types.ts';
import { childKey, type ChildView, type SubDagInput } from './control/sub-dag.ts';
import { waitEndsAt } from './control/wait.ts';
import { foldResults } from './fold-results.ts';
import type { DagGraph } from './graph.ts';
import { baseIdOf, loopOf, specOf } from './grown-graph.ts';
import { preAssignmentGate } from './pre-assign.ts';
import { resultOf } from './task-report.ts';
import type { WorkerView } from './worker-pool.ts';

/**
 * What the simulated actions do, from the command line: how many first
 * attempts fail, what a task returns, which approvals are rejected.
 */
export interface SimulatedResults {
  /** Task → its first N attempts fail (Infinity: every attempt). */
  fail?: ReadonlyMap<string, number>;
  /** Task → what its action returns; for a wait task, the signal's payload. */
  outputs?: ReadonlyMap<string, unknown>;
  /** Approval tasks that are rejected (the others are approved). */
  reject?: ReadonlySet<string>;
}

/**
 * What the results say of task `key`, and under which name: its own key
 * (`fan[2]`, `step#3`), else, for a grown key, its Dag task's id (every
 * copy or iteration).
 */
function named<V>(
  results: ReadonlyMap<string, V> | undefined,
  key: string,
): { name: string; value: V } | undefined {
  for (const name of [key, baseIdOf(key)]) {
    const value = results?.get(name);
    if (value !== undefined) return { name, value };
  }
  return undefined;
}

const failsFor = (results: SimulatedResults, key: string) => named(results.fail, key);
const outputFor = (results: SimulatedResults, key: string): unknown =>
  named(results.outputs, key)?.value;

/** The one simulated worker: it has every action and room for every task. */
export const SIM_WORKER = 'simulator';
/** Who signals approvals and waits in a simulation (fastflow.io/signal-by). */
export const SIM_USER = 'simulate';

/** The live worker as decide() reads it: every action of the Dag, load from the status. */
export function simWorker(graph: DagGraph, status: DagInstanceStatus): WorkerView {
  const tasks = Object.values(status.tasks ?? {});
  const actions = [...graph.tasks.values()].flatMap((t) => (t.actionName ? [t.actionName] : []));
  return {
    name: SIM_WORKER,
    actions: new Set(actions),
    capacity: Number.MAX_SAFE_INTEGER,
    load: tasks.filter((t) => t.worker === SIM_WORKER && isActive(t)).length,
  };
}

const isActive = (t: TaskStatus): boolean => t.phase === 'Scheduled' || t.phase === 'Running';

/** Tasks the simulated worker holds and may run now (a pre-assigned one only once its gate opens). */
export function heldAttempts(status: DagInstanceStatus): string[] {
  const tasks = status.tasks ?? {};
  return Object.keys(tasks).filter((id) => {
    const t = tasks[id];
    return t?.worker === SIM_WORKER && isActive(t) && preAssignmentGate(tasks, t) === 'open';
  });
}

/**
 * The worker runs every attempt it holds to its end, and reports as a real
 * worker does (started, then succeeded or failed), through the same fold
 * the operator applies to TaskResults.
 */
export function runHeld(
  status: DagInstanceStatus,
  results: SimulatedResults,
  now: Date,
): DagInstanceStatus {
  let tasks = status.tasks ?? {};
  const at = now.toISOString();
  for (const id of heldAttempts(status)) {
    const entry = tasks[id];
    if (entry === undefined) continue;
    const attempt = entry.attempt ?? 1;
    const failing = attempt <= (failsFor(results, id)?.value ?? 0);
    const output = outputFor(results, id);
    const key = attemptKey(id, attempt);
    const report = (from: TaskStatus['phase'], ended: boolean) => {
      const event = !ended ? 'AttemptStarted' : failing ? 'AttemptFailed' : 'AttemptSucceeded';
      const set = !ended
        ? { startedAt: at }
        : failing
          ? { finishedAt: at, reason: 'ActionFailed' as const, message: failMessage(results, id) }
          : { finishedAt: at, ...(output !== undefined ? { output } : {}) };
      const result = resultOf({ task: id, worker: SIM_WORKER, attempt, event, set }, from);
      return foldResults(tasks, [{ worker: SIM_WORKER, results: { [key]: result } }]).tasks;
    };
    if (entry.phase === 'Scheduled') tasks = report('Scheduled', false);
    tasks = report('Running', true);
  }
  return { ...status, tasks };
}

function failMessage(results: SimulatedResults, id: string): string {
  const { name, value: n } = failsFor(results, id) ?? { name: id, value: 0 };
  return Number.isFinite(n)
    ? `failed by --fail ${name}:${n} (${n === 1 ? 'its first attempt' : `its first ${n} attempts`})`
    : `failed by --fail ${name} (every attempt)`;
}

/**
 * The signal a user would send next, as the fastflow.io/signal annotation:
 * the first task waiting for one (an approval: approved unless rejected; a
 * wait with no time: its --output as payload). Undefined when none waits.
 */
export function nextSignal(
  graph: DagGraph,
  status: DagInstanceStatus,
  results: SimulatedResults,
  token: string,
): Record<string, string> | undefined {
  const tasks = status.tasks ?? {};
  for (const id of Object.keys(tasks)) {
    const t = tasks[id];
    const spec = specOf(graph, id);
    // A loop's body id mirrors its iteration's key (`gate#2`), which its signal reaches.
    if (t?.phase !== 'Running' || t.worker !== undefined || spec === undefined) continue;
    if (loopOf(graph, id) !== undefined) continue;
    const value = signalOf(spec, id, t, results);
    if (value !== undefined) {
      return { [SIGNAL_ANNOTATION]: `${token}:${value}`, [SIGNAL_BY_ANNOTATION]: SIM_USER };
    }
  }
  return undefined;
}

/**
 * `verb:task[:payload]` of the signal task `id` waits for, if it waits for
 * one; as a user names it: a loop iteration's task by its body id.
 */
function signalOf(
  spec: TaskSpec,
  id: string,
  t: TaskStatus,
  results: SimulatedResults,
): string | undefined {
  const type = taskTypeOf(spec);
  if (type === 'approval') {
    const rejected = results.reject?.has(id) || results.reject?.has(baseIdOf(id));
    return `${rejected ? 'reject' : 'approve'}:${baseIdOf(id)}`;
  }
  if (type !== 'wait' || waitEndsAt(spec.wait, t.startedAt) !== undefined) return undefined;
  const payload = outputFor(results, id);
  return `signal:${baseIdOf(id)}${payload === undefined ? '' : `:${JSON.stringify(payload)}`}`;
}

/** subDag tasks whose child instance runs now (Running on no worker, reason ChildRunning). */
function childrenRunning(status: DagInstanceStatus): [string, TaskStatus][] {
  return Object.entries(status.tasks ?? {}).filter(
    ([, t]) => t.phase === 'Running' && t.worker === undefined && t.reason === 'ChildRunning',
  );
}

/**
 * The children of subDag tasks as the operator would see them once they
 * end: a child is simulated as one unit, like an action (its --output, or
 * failed by --fail), not run task by task. Undefined when none runs.
 */
export function simChildren(
  status: DagInstanceStatus,
  results: SimulatedResults,
): SubDagInput | undefined {
  const running = childrenRunning(status);
  if (running.length === 0) return undefined;
  const children = new Map<string, ChildView>();
  for (const [id, t] of running) {
    const attempt = t.attempt ?? 1;
    const name = `${id}-child-${attempt}`;
    const output = outputFor(results, id);
    children.set(
      childKey(id, attempt),
      attempt <= (failsFor(results, id)?.value ?? 0)
        ? { name, state: 'failed', reason: 'ChildFailed', message: failMessage(results, id) }
        : { name, state: 'succeeded', ...(output !== undefined ? { output } : {}) },
    );
  }
  return { depth: 0, children, missingDags: new Set() };
}
