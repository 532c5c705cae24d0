import type { ControlStatus } from '../../api/control-status.ts';
import type { DagSpec, TaskSpec } from '../../api/dag.ts';
import type { TaskStatus } from '../../api/dag-instance.ts';
import type { StoredOutputs } from '../attempt-values.ts';
import { formatPath } from '../../api/field-path.ts';
import { TASK_TYPES, taskTypeOf, type TaskType } from '../../api/task-types.ts';
import { earliest } from '../duration.ts';
import type { DagGraph } from '../graph.ts';
import { specOf } from '../grown-graph.ts';
import { templateReferences } from '../templates.ts';
import { fanOutControl } from './fan-out.ts';
import { loopType } from './loop.ts';
import { setVarsType } from './set-vars.ts';
import { subDagType, type SubDagInput } from './sub-dag.ts';
import { switchType } from './switch.ts';
import { terminateType } from './terminate.ts';
import { approvalType, waitType } from './wait.ts';
import type { ControlContext, ControlDecision, ControlProblem, ControlType } from './decision.ts';

export type { ControlContext, ControlDecision, ControlProblem, ControlType } from './decision.ts';

/** Every system task type; the compiler asks for an entry when TASK_TYPES grows. */
const TYPES: Readonly<Record<Exclude<TaskType, 'action'>, ControlType>> = {
  switch: switchType,
  terminate: terminateType,
  setVars: setVarsType,
  wait: waitType,
  approval: approvalType,
  loop: loopType,
  subDag: subDagType,
};

/** How task `spec` is decided: by its type, or as a fan-out (forEach); undefined: on a worker. */
function controlOf(spec: TaskSpec | undefined): ControlType | undefined {
  if (spec?.forEach !== undefined) return fanOutControl;
  const type = spec ? taskTypeOf(spec) : 'action';
  return type === 'action' ? undefined : TYPES[type];
}

/** The fields of `status` that system tasks write. */
export function controlStatusOf(status: ControlStatus): ControlStatus {
  const { vars, terminated, output } = status;
  return {
    ...(vars ? { vars } : {}),
    ...(terminated ? { terminated } : {}),
    ...(output !== undefined ? { output } : {}),
  };
}

/** What decide() holds that system tasks read. */
export interface ControlInput extends ControlSources {
  readonly graph: DagGraph;
  readonly now: Date;
}

/** What the operator reads for system tasks besides the instance (decide's input has them too). */
export interface ControlSources {
  /** The instance's share data, for preChecks and system tasks that read it. */
  readonly shareData?: Readonly<Record<string, string>>;
  /** The children of subDag tasks, the instance's depth, the Dags they name that are missing. */
  readonly subDags?: SubDagInput;
  /** Upstream outputs stored by reference (outputRef) that system tasks read. */
  readonly storedOutputs?: StoredOutputs | undefined;
}

/** One decide pass, as system tasks change it. */
export interface ControlPass {
  /** Every task's entry so far in this pass. */
  tasks: Record<string, TaskStatus>;
  /** The vars tasks read now: the instance's, then those setVars gave new values. */
  vars: Record<string, string>;
  /** The instance fields system tasks write (status.vars, terminated, output). */
  control: ControlStatus;
  /** Tasks placed on workers in this pass: a task that ends them takes them back. */
  readonly assigned: { task: string }[];
  wakeAt: Date | undefined;
  /** Visits a grown key now (ControlContext.grow). */
  grow(key: string, ready: boolean): void;
}

/**
 * Called by decide() where ready task `id` would be placed on a worker:
 * false for an action task (place it); for a system task, applies its
 * decision to the pass and returns true.
 */
export function decideControl(
  input: ControlInput,
  pass: ControlPass,
  id: string,
  attempt: number,
  from: TaskStatus | undefined,
): boolean {
  const spec = specOf(input.graph, id);
  const control = controlOf(spec);
  if (spec === undefined || control === undefined) return false;
  apply(pass, id, control.decide(contextOf(input, pass, id, spec, attempt, from)));
  return true;
}

/**
 * Called by decide() for a task that is Running on no worker: a system task
 * that waits (wait, approval, subDag) is looked at again, e.g. its time has
 * come; true when it was (a failed one is then retried under its policy).
 */
export function decideWaiting(
  input: ControlInput,
  pass: ControlPass,
  id: string,
  current: TaskStatus,
): boolean {
  const spec = specOf(input.graph, id);
  const control = controlOf(spec);
  if (spec === undefined || control === undefined) return false;
  const ctx = contextOf(input, pass, id, spec, current.attempt ?? 1, current);
  const waiting = control.waiting?.(ctx, current);
  if (waiting) apply(pass, id, waiting);
  return waiting !== undefined;
}

function contextOf(
  input: ControlInput,
  pass: ControlPass,
  id: string,
  spec: TaskSpec,
  attempt: number,
  from: TaskStatus | undefined,
): ControlContext {
  return {
    graph: input.graph,
    now: input.now,
    shareData: input.shareData ?? {},
    subDags: input.subDags,
    storedOutputs: input.storedOutputs,
    tasks: pass.tasks,
    vars: pass.vars,
    control: pass.control,
    id,
    spec,
    attempt,
    from,
    grow: (key, ready) => pass.grow(key, ready),
    enter: (entry) => {
      pass.tasks[id] = entry;
    },
  };
}

function apply(pass: ControlPass, id: string, decision: ControlDecision): void {
  pass.tasks[id] = decision.entry;
  Object.assign(pass.tasks, decision.others);
  if (decision.control) pass.control = { ...pass.control, ...decision.control };
  if (decision.vars) pass.vars = { ...pass.vars, ...decision.vars };
  for (const key of decision.drop ?? []) delete pass.tasks[key];
  pass.wakeAt = earliest([pass.wakeAt, decision.wakeAt]);
  // Placed earlier in this pass and ended by this decision: no worker is told.
  for (let i = pass.assigned.length - 1; i >= 0; i--) {
    const task = pass.assigned[i]?.task ?? '';
    if (pass.tasks[task]?.phase !== 'Scheduled') pass.assigned.splice(i, 1);
  }
}

/**
 * The Dag problems of task types, each with its field path: a field of
 * another type, and what each system type checks of its own field.
 */
export function validateControl(spec: DagSpec, graph: DagGraph): ControlProblem[] {
  return spec.tasks.flatMap((task, i) => {
    const type = taskTypeOf(task);
    const problems = fieldsOfOtherTypes(task, i, type);
    if (task.forEach !== undefined) problems.push(...fanOutControl.validate(task, i, spec, graph));
    // An action task without actionName is refused by the schema (TaskSpec).
    if (type === 'action') return problems;
    if (task.actionName !== undefined) problems.push(onlyFor(task, i, 'actionName', 'action'));
    return [...problems, ...TYPES[type].validate(task, i, spec, graph)];
  });
}

/** A system type's spec field is named after it (`type: switch` reads `switch:`). */
function fieldsOfOtherTypes(task: TaskSpec, i: number, type: TaskType): ControlProblem[] {
  const fields = task as Readonly<Record<string, unknown>>;
  return TASK_TYPES.filter((t) => t !== type && t !== 'action' && fields[t] !== undefined).map(
    (t) => onlyFor(task, i, t, t),
  );
}

function onlyFor(task: TaskSpec, i: number, field: string, type: TaskType): ControlProblem {
  return {
    reason: 'FieldOfOtherType',
    path: formatPath(['spec', 'tasks', i, field]),
    message: `task "${task.id}" is of type ${taskTypeOf(task)}: ${field} is only for type ${type}`,
  };
}

/** Whether a system task reads share data (the operator then loads it for the pass). */
export function readsShareData(task: TaskSpec): boolean {
  const expressions = [task.switch?.expression, task.forEach?.items, task.loop?.while];
  if (expressions.some((e) => e?.includes('shareData'))) return true;
  const rendered = [task.terminate?.output, task.setVars, task.subDag?.vars];
  return templateReferences(rendered).some((r) => r.ref.kind === 'shareData');
}
