import { ACTIVE_TASK_PHASES, type TaskStatus } from '../api/dag-instance.ts';
import { attemptKey } from '../api/task-result.ts';
import { branchGate, workerSeesSwitchInputs, type AfterCase } from './control/switch-branch.ts';
import { casesOf, inSwitchCase, branchNotTaken } from './control/switch.ts';
import type { DagGraph } from './graph.ts';
import { loopOf } from './grown-graph.ts';
import * as chain from './pre-assign.ts';
import { templateReferences } from './templates.ts';
import { phaseOf, transition } from './task-transitions.ts';
import type { WorkerView } from './worker-pool.ts';

/**
 * A switch's chosen branch at chain-hop speed (docs/architecture.md "Chains
 * at in-process speed", "A switch's branches"). When a worker holds a task P
 * whose sole successor is a switch S, the first task of each of S's branches
 * is pre-assigned to that worker `after` P and `afterCase` S. The worker
 * evaluates S with the core's own `pickCase` when P succeeds and starts only
 * the branch it picked. The operator still decides S itself; these are its
 * pure rules for the steps waiting on that decision.
 */

type Step = { tasks: Record<string, TaskStatus>; assigned: chain.PreAssigned['assigned'] };

export interface SwitchLookAheadInput {
  graph: DagGraph;
  workers: readonly WorkerView[];
  vars: Readonly<Record<string, string>>;
  now: Date;
  chainLookAhead?: number;
  actionSlots?: ReadonlyMap<string, unknown>;
}

/**
 * A decision's last step once its tasks are visited (each branch step was
 * settled when visited): chains and switch branches are pre-assigned behind
 * the tasks left with workers (none while paused).
 */
export function lookAhead(input: SwitchLookAheadInput, step: Step, paused: boolean): void {
  if (paused) return;
  chain.preAssignChains(input, step);
  preAssignSwitchBranches(input, step);
}

/**
 * The settled entry of branch step `id` once its switch is decided, else
 * undefined. Right after the operator decided a switch: a branch step it
 * picked waits no more (`after` and `afterCase` dropped, as a chain step's
 * `after` is once its parent succeeded); one it did not pick is voided and
 * Skipped (its attempt number spent, so a worker that started it anyway is
 * fenced out), before the switch's entry can move into a shard. `decide`
 * settles each step as it visits it (after its switch, in graph order), so
 * a step skipped here skips its dependants in the same pass: the pass stays
 * a fixed point.
 */
export function settleSwitchBranch(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
  id: string,
  now: Date,
): TaskStatus | undefined {
  const entry = tasks[id];
  if (entry?.afterCase === undefined || !ACTIVE_TASK_PHASES.has(entry.phase)) return undefined;
  const gate = branchGate(tasks, entry.afterCase);
  if (gate === 'wait') return undefined;
  if (gate === 'open') {
    if (chain.preAssignmentGate(tasks, entry) !== 'open') return undefined;
    // As for a chain step whose parent succeeded: it waits no more; its clock starts now.
    const { after: _after, afterCase: _case, ...kept } = entry;
    return { ...kept, scheduledAt: now.toISOString() };
  }
  const voided = chain.voided(entry, `switch "${entry.afterCase.switch}" did not pick its case`);
  return branchNotTaken(graph, { ...tasks, [id]: voided }, id, now) ?? voided;
}

/**
 * Behind each task P a worker holds whose sole successor is a Pending
 * switch S the worker can evaluate as the operator will: S's branch tasks
 * that depend on S alone and read nothing S outputs are pre-assigned to
 * P's worker, under the same rules and bound as a chain step.
 */
export function preAssignSwitchBranches(input: SwitchLookAheadInput, step: Step): void {
  const { graph, chainLookAhead = chain.DEFAULT_LOOK_AHEAD } = input;
  if (chainLookAhead <= 0) return;
  const rules: chain.PreAssignInput = {
    ...input,
    tasks: step.tasks,
    lookAhead: chainLookAhead,
    limited: new Set(input.actionSlots?.keys()),
  };
  const room = { left: chain.MAX_WAITING_STEPS - chain.waitingSteps(step.tasks) };
  for (const p of graph.order) {
    const head = switchAhead(input, step.tasks, p);
    if (head === undefined) continue;
    const after = attemptKey(p, step.tasks[p]?.attempt ?? 1);
    for (const [id, cases] of branchesOf(graph, head.sw)) {
      const entry = step.tasks[id];
      if (entry?.phase === 'Scheduled' && entry.after === after) continue;
      if (room.left <= 0 || !chain.mayPreAssign(rules, id, entry, head.worker)) continue;
      room.left -= 1;
      const afterCase = { switch: head.sw, cases: [...cases] };
      assignBranch(step, id, { worker: head.worker.name, after, afterCase, now: input.now });
    }
  }
}

function assignBranch(
  step: Step,
  id: string,
  at: { worker: string; after: string; afterCase: AfterCase; now: Date },
): void {
  const entry = step.tasks[id];
  const attempt = (entry?.attempt ?? 0) + 1;
  step.tasks[id] = transition(entry, 'PreAssigned', {
    ...(entry ? chain.keptAcrossPlacements(entry) : {}),
    worker: at.worker,
    attempt,
    scheduledAt: at.now.toISOString(),
    after: at.after,
    afterCase: at.afterCase,
  });
  step.assigned.push({ task: id, worker: at.worker, attempt });
}

/** The switch to look past behind task `p`, and `p`'s worker: when `p` is held and may go on. */
function switchAhead(
  input: SwitchLookAheadInput,
  tasks: Readonly<Record<string, TaskStatus>>,
  p: string,
): { sw: string; worker: WorkerView } | undefined {
  const head = tasks[p];
  if (!head?.worker || !ACTIVE_TASK_PHASES.has(head.phase)) return undefined;
  if (chain.preAssignmentGate(tasks, head) === 'closed') return undefined;
  const worker = input.workers.find((w) => w.name === head.worker);
  const sw = chain.soleSuccessor(input.graph, tasks, p);
  if (!worker || sw === undefined || !switchToLookPast(input.graph, tasks, sw, p)) return undefined;
  return { sw, worker };
}

/** A Pending switch, not itself in a branch, loop or fan-out, whose inputs P's worker sees. */
function switchToLookPast(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
  sw: string,
  dependency: string,
): boolean {
  const spec = graph.tasks.get(sw);
  if (spec?.type !== 'switch' || spec.switch === undefined) return false;
  if (phaseOf(tasks[sw]) !== 'Pending' || spec.preCheck !== undefined) return false;
  if (inSwitchCase(graph, sw) || loopOf(graph, sw) !== undefined) return false;
  return workerSeesSwitchInputs(spec.switch.expression, dependency, tasks);
}

/**
 * The first tasks of `sw`'s branches with the cases that pick each: those
 * that depend on `sw` alone, are in no other switch's branch, and whose
 * params read no output of `sw` (it has none until the operator decides).
 */
function branchesOf(graph: DagGraph, sw: string): Array<[string, ReadonlySet<string>]> {
  const out: Array<[string, ReadonlySet<string>]> = [];
  for (const id of graph.children.get(sw) ?? []) {
    const switches = casesOf(graph, id);
    const cases = switches?.get(sw);
    if (cases === undefined || switches?.size !== 1) continue;
    if ((graph.parents.get(id) ?? []).length !== 1) continue;
    const refs = templateReferences(graph.tasks.get(id)?.params ?? {});
    if (refs.some((r) => r.ref.kind === 'output' && r.ref.task === sw)) continue;
    out.push([id, cases]);
  }
  return out;
}
