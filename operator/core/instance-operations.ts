import {
  ACTIVE_TASK_PHASES,
  TERMINAL_INSTANCE_PHASES,
  type DagInstanceStatus,
  type TaskStatus,
} from '../api/dag-instance.ts';
import { applySignal } from './control/signal-operation.ts';
import type { DagGraph } from './graph.ts';
import { allKeys, grownUnder } from './grown-graph.ts';
import {
  appliedRecord,
  applyOperation,
  names,
  recordOutcome,
  refusedOutright,
  refusedRecord,
  type OperationOutcome,
  type OperationRequest,
  type TaskOperationName,
} from './operations.ts';
import { preAssignmentGate } from './pre-assign.ts';
import { carriedToNextAttempt } from './retry.ts';
import { againAfterTerminate, refusedAfterTerminate } from './terminated.ts';
import { phaseOf, transition } from './task-transitions.ts';

export interface OperationsInput {
  graph: DagGraph;
  status: DagInstanceStatus;
  now: Date;
  operations?: readonly OperationRequest[];
  /** The instance's vars (every declared var, rerun overrides included). */
  vars?: Readonly<Record<string, string>>;
}

export interface OperationsApplied {
  /** The status with the records written, and pausedAt and rerunVars as the operations left them. */
  status: DagInstanceStatus;
  tasks: Record<string, TaskStatus>;
  /** The vars the tasks run with from now on (a rerun's given ones included). */
  vars: Readonly<Record<string, string>>;
  paused: boolean;
}

/**
 * Applies the operations asked for, in order, each recorded once (see
 * operations.ts); `refusal`, when given, refuses every one (past the
 * deadline nothing may run again). Operations on tasks go by the transition
 * table, a signal by its verb (control/signal-operation.ts); pause, resume,
 * restart and rerun act on the instance.
 */
export function applyOperations(input: OperationsInput, refusal?: string): OperationsApplied {
  const { graph, now } = input;
  let tasks: Record<string, TaskStatus> = { ...input.status.tasks };
  let fields = instanceFieldsOf(input.status);
  const records = { ...input.status.operations };
  for (const asked of input.operations ?? []) {
    const why = asked.refused ?? refusal ?? refusedAfterTerminate(asked, fields.terminated);
    const op = why === undefined ? asked : { ...asked, refused: why };
    const outcome: InstanceOutcome = isTaskOperation(op)
      ? applyOperation(op, allKeys(graph, tasks), tasks, now, (n) => grownUnder(graph, n, tasks))
      : op.name === 'signal'
        ? applySignal(op, graph, tasks, now)
        : applyToInstance(op, { ...input, status: { ...input.status, ...fields } }, tasks, fields);
    tasks = outcome.tasks;
    if (outcome.fields) fields = outcome.fields;
    records[op.name] = recordOutcome(input.status.operations?.[op.name], outcome.record);
  }
  const { pausedAt: _p, rerunVars: _r, terminated: _t, output: _o, ...rest } = input.status;
  const status: DagInstanceStatus = {
    ...rest,
    ...fields,
    ...(input.operations?.length ? { operations: records } : {}),
  };
  const vars = { ...input.vars, ...fields.rerunVars };
  return { status, tasks, vars, paused: fields.pausedAt !== undefined };
}

/** The instance fields operations change; a run started again clears a terminate's end. */
type InstanceFields = Pick<DagInstanceStatus, 'pausedAt' | 'rerunVars' | 'terminated' | 'output'>;
function instanceFieldsOf(status: DagInstanceStatus): InstanceFields {
  const { pausedAt, rerunVars, terminated, output } = status;
  return {
    ...(pausedAt ? { pausedAt } : {}),
    ...(rerunVars ? { rerunVars } : {}),
    ...(terminated ? { terminated } : {}),
    ...(output !== undefined ? { output } : {}),
  };
}
type InstanceOutcome = OperationOutcome & { fields?: InstanceFields };
/** One instance operation, what it acts on, and its refusal (which changes nothing). */
interface InstanceStep {
  op: OperationRequest;
  input: OperationsInput;
  tasks: Record<string, TaskStatus>;
  fields: InstanceFields;
  refuse: (why: string) => InstanceOutcome;
}

function isTaskOperation(
  op: OperationRequest,
): op is OperationRequest & { name: TaskOperationName } {
  return (
    op.name === 'cancel' || op.name === 'retry' || op.name === 'continue' || op.name === 'skip'
  );
}

/** Pause, resume, restart or rerun; a refusal changes nothing. */
function applyToInstance(
  op: OperationRequest,
  input: OperationsInput,
  tasks: Record<string, TaskStatus>,
  fields: InstanceFields,
): InstanceOutcome {
  const { graph, now } = input;
  const refuse = (why: string): InstanceOutcome => ({ tasks, record: refusedRecord(op, why, now) });
  const step: InstanceStep = { op, input, tasks, fields, refuse };
  const outright = refusedOutright(op, graph.order);
  if (outright !== undefined) return refuse(outright);
  if (op.name !== 'rerun' && op.tasks !== undefined) {
    return refuse(`it acts on the whole instance: name no task (fastflow.io/${op.name}=<token>)`);
  }
  if (op.name === 'pause') return pause(step);
  if (op.name === 'resume') {
    if (!fields.pausedAt) return refuse('the instance is not paused');
    const { pausedAt: _, ...rest } = fields;
    return { tasks, fields: rest, record: appliedRecord(op, 'nothing is held any more', now) };
  }
  return runAgain(step);
}

function pause({ op, input, tasks, fields, refuse }: InstanceStep): InstanceOutcome {
  const phase = input.status.phase ?? 'Pending';
  if (fields.pausedAt) return refuse(`the instance is already paused (since ${fields.pausedAt})`);
  if (TERMINAL_INSTANCE_PHASES.has(phase)) {
    return refuse(`the instance has finished (${phase}): nothing is left to hold`);
  }
  return {
    tasks,
    fields: { ...fields, pausedAt: input.now.toISOString() },
    record: appliedRecord(op, pauseNote(input.graph, tasks), input.now),
  };
}

/**
 * Restart (every task) or rerun (a task and every task after it): each of
 * them that has an entry goes back to Pending, its attempt kept in history
 * (a late result of the old attempt stays stale). Refused while a task
 * runs: its result would land in a run that has started again.
 */
function runAgain({ op, input, tasks, fields, refuse }: InstanceStep): InstanceOutcome {
  const { graph, now } = input;
  const running = runningTasks(graph, tasks);
  if (running.length > 0) {
    return refuse(
      `${names(running)} still running: wait for ${running.length > 1 ? 'them' : 'it'} ` +
        '(a pause lets running tasks finish and starts nothing new) or cancel first',
    );
  }
  const target =
    op.name === 'restart' ? restartTarget(graph, tasks) : rerunTarget(op, input, tasks);
  if ('refused' in target) return refuse(target.refused);
  const { from, given } = target;
  const asked = op.name === 'restart' ? from : withDescendants(graph, from[0] ?? '');
  const reopened = againAfterTerminate(fields.terminated, asked, graph.order, tasks);
  if ('refused' in reopened) return refuse(reopened.refused);
  const { again } = reopened;
  const next = { ...tasks };
  for (const id of again) {
    const entry = tasks[id];
    if (entry) next[id] = transition(entry, 'RerunRequested', fresh(entry));
  }
  const withVars = Object.keys(given).length > 0;
  const rerunVars = op.name === 'restart' ? undefined : { ...fields.rerunVars, ...given };
  const { rerunVars: _, terminated: _t, output: _o, ...kept } = fields;
  const what =
    op.name === 'restart'
      ? `every task runs again (${again.length} had run)`
      : `${from[0]} and ${again.length - 1} task(s) after it run again` +
        (withVars ? ` with ${Object.keys(given).join(', ')} set` : '');
  return {
    tasks: next,
    fields: { ...kept, ...(rerunVars && Object.keys(rerunVars).length ? { rerunVars } : {}) },
    record: appliedRecord(op, what, now),
  };
}

type Target = { from: string[]; given: Record<string, string> } | { refused: string };

/** Every task that has run (has an entry), or why there is none. */
function restartTarget(graph: DagGraph, tasks: Readonly<Record<string, TaskStatus>>): Target {
  const from = graph.order.filter((id) => tasks[id] !== undefined);
  return from.length === 0 ? { refused: 'no task has run yet' } : { from, given: {} };
}

/** The one task a rerun names and the vars it gives, or why they do not apply. */
function rerunTarget(
  op: OperationRequest,
  input: OperationsInput,
  tasks: Readonly<Record<string, TaskStatus>>,
): Target {
  const [task, ...more] = op.tasks ?? [];
  if (task === undefined || more.length > 0) {
    return { refused: 'name one task to run again from (fastflow.io/rerun=<token>:<task>)' };
  }
  if (phaseOf(tasks[task]) === 'Pending') return { refused: `${task} has not run yet (Pending)` };
  const declared = Object.keys(input.vars ?? {});
  const undeclared = Object.keys(op.vars ?? {}).filter((v) => !declared.includes(v));
  if (undeclared.length > 0) {
    const known = declared.length > 0 ? declared.join(', ') : 'none';
    return { refused: `var ${names(undeclared)} not declared by the Dag (declared: ${known})` };
  }
  return { from: [task], given: op.vars ?? {} };
}

/**
 * A task about to run again: its attempt counted on, its checks evaluated
 * again. An attempt that ended goes to history; a Pending or Retrying one
 * is there already, and a task that never ran has none.
 */
function fresh(entry: TaskStatus): Omit<TaskStatus, 'phase'> {
  const ended = entry.attempt !== undefined && !['Pending', 'Retrying'].includes(entry.phase);
  const { attempt, history, historyDropped } = ended ? carriedToNextAttempt(entry) : entry;
  return {
    ...(attempt ? { attempt } : {}),
    ...(history ? { history } : {}),
    ...(historyDropped ? { historyDropped } : {}),
  };
}

/** The task and every task that depends on it, directly or not, in topological order. */
function withDescendants(graph: DagGraph, task: string): string[] {
  const found = new Set([task]);
  for (const id of graph.order) {
    if ((graph.parents.get(id) ?? []).some((p) => found.has(p))) found.add(id);
  }
  return graph.order.filter((id) => found.has(id));
}

/** Tasks a worker holds, but for steps pre-assigned behind a parent: they have not started. */
function runningTasks(graph: DagGraph, tasks: Readonly<Record<string, TaskStatus>>): string[] {
  return graph.order.filter((id) => {
    const t = tasks[id];
    return (
      t !== undefined && ACTIVE_TASK_PHASES.has(t.phase) && preAssignmentGate(tasks, t) !== 'wait'
    );
  });
}

function pauseNote(graph: DagGraph, tasks: Readonly<Record<string, TaskStatus>>): string {
  const running = runningTasks(graph, tasks);
  return running.length > 0
    ? `nothing new starts; ${names(running)} finish${running.length > 1 ? '' : 'es'}`
    : 'nothing new starts';
}
