import type { ControlStatus } from '../../api/control-status.ts';
import type { DagSpec, TaskSpec } from '../../api/dag.ts';
import type { TaskStatus } from '../../api/dag-instance.ts';
import type { TaskReason } from '../../api/task-reason.ts';
import type { StoredOutputs } from '../attempt-values.ts';
import type { DagGraph } from '../graph.ts';
import type { SubDagInput } from './sub-dag.ts';
import { transition } from '../task-transitions.ts';

/** What a system task decides from: the pass so far, and the task. */
export interface ControlContext {
  readonly graph: DagGraph;
  readonly now: Date;
  readonly shareData: Readonly<Record<string, string>>;
  /** What subDag tasks read: their children, as the operator's cache has them. */
  readonly subDags?: SubDagInput | undefined;
  /** Upstream outputs stored by reference (outputRef), read by the reconciler before decide. */
  readonly storedOutputs?: StoredOutputs | undefined;
  readonly tasks: Readonly<Record<string, TaskStatus>>;
  /** The vars as tasks read them now (setVars values included). */
  readonly vars: Readonly<Record<string, string>>;
  readonly control: Readonly<ControlStatus>;
  readonly id: string;
  readonly spec: TaskSpec;
  /** The attempt this decision is (a retried system task is decided again). */
  readonly attempt: number;
  /** The task's entry before: absent, Pending, or Pending after a retry. */
  readonly from: TaskStatus | undefined;
  /**
   * Visits a task key the Dag does not hold (a fan-out copy, a loop
   * iteration's task: ../grown-graph.ts) as decide visits a Dag task, `ready`
   * standing for "its parents are done"; it may place it on a worker now.
   */
  readonly grow: (key: string, ready: boolean) => void;
  /**
   * Puts the task's own entry in the pass before it grows keys, so that
   * what it grows reads it (a subDag copy renders its item from its
   * fan-out's recorded items in the pass that starts the fan-out).
   */
  readonly enter: (entry: TaskStatus) => void;
}

/** A system task's decision: its own entry, and what else it changes. */
export interface ControlDecision {
  entry: TaskStatus;
  /** Entries of other tasks it changes (terminate cancels them). */
  others?: Record<string, TaskStatus>;
  /** Instance fields it writes (merged into status). */
  control?: ControlStatus;
  /** Vars given new values, read by the tasks after it. */
  vars?: Record<string, string>;
  /** When to decide again by itself (a wait). */
  wakeAt?: Date;
  /** Entries it removes from status (a loop's iterations older than keepLast). */
  drop?: string[];
}

/** A Dag problem, reported like the graph's: Dag VALID False, `kubectl fastflow lint`. */
export interface ControlProblem {
  reason: string;
  /** Field path, e.g. `spec.tasks[2].switch.expression`. */
  path: string;
  message: string;
}

/** One system task type: how it is decided, and what of its spec is checked when the Dag is applied. */
export interface ControlType {
  decide(ctx: ControlContext): ControlDecision;
  /** A task of this type that waits (Running on no worker), looked at again in each pass. */
  waiting?(ctx: ControlContext, current: TaskStatus): ControlDecision;
  validate(task: TaskSpec, index: number, spec: DagSpec, graph: DagGraph): ControlProblem[];
}

/** What an entry keeps from attempt to attempt. */
function kept(ctx: ControlContext): Omit<TaskStatus, 'phase'> {
  const from = ctx.from;
  return {
    ...(from?.history ? { history: from.history } : {}),
    ...(from?.historyDropped ? { historyDropped: from.historyDropped } : {}),
    ...(from?.continued ? { continued: true } : {}),
  };
}

/** The system task succeeded with `output`, recorded like an action's. */
export function succeeded(ctx: ControlContext, output: unknown, message?: string): TaskStatus {
  return ended(ctx, 'SystemDecided', {
    ...(output !== undefined ? { output } : {}),
    ...(message ? { message } : {}),
  });
}

/** The system task could not be decided: Failed, retried under its policy if its reason allows. */
export function failed(
  ctx: ControlContext,
  message: string,
  reason: TaskReason = 'SystemTaskFailed',
): TaskStatus {
  return ended(ctx, 'SystemFailed', { reason, message: message.slice(0, 4000) });
}

/** A system task is decided at once: it starts and finishes now, in this attempt. */
function ended(
  ctx: ControlContext,
  event: 'SystemDecided' | 'SystemFailed',
  fields: Omit<TaskStatus, 'phase'>,
): TaskStatus {
  const at = ctx.now.toISOString();
  return transition(ctx.from, event, {
    ...kept(ctx),
    attempt: ctx.attempt,
    startedAt: at,
    finishedAt: at,
    ...fields,
  });
}
