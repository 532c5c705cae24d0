import type { DagSpec, TaskSpec } from '../../api/dag.ts';
import type { TaskStatus } from '../../api/dag-instance.ts';
import { formatPath } from '../../api/field-path.ts';
import { MAX_SUBDAG_DEPTH } from '../../api/grown-tasks.ts';
import type { TaskReason } from '../../api/task-reason.ts';
import { taskTypeOf } from '../../api/task-types.ts';
import { baseIdOf, itemOf } from '../grown-graph.ts';
import { outputsOf, renderParams, type TemplateSources } from '../templates.ts';
import { transition } from '../task-transitions.ts';
import {
  failed,
  type ControlContext,
  type ControlDecision,
  type ControlProblem,
  type ControlType,
} from './decision.ts';

/** Largest JSON of the vars one child gets (recorded in the task's `params`). */
export const MAX_CHILD_VARS_BYTES = 8192;

/** What the operator saw of the child instance of one attempt of a subDag task. */
export type ChildView =
  | { name: string; state: 'running' }
  | { name: string; state: 'succeeded'; output?: unknown; outputRef?: string }
  | { name: string; state: 'failed'; reason: TaskReason; message: string };

/** What subDag tasks read besides the pass: read by the operator from its caches before deciding. */
export interface SubDagInput {
  /** How many parents this instance has above it (0: no subDag task started it). */
  depth: number;
  /** Children by attempt key (`childKey`); a child not there was not created (or not seen) yet. */
  children: ReadonlyMap<string, ChildView>;
  /** The Dags subDag tasks name that do not exist in the namespace. */
  missingDags: ReadonlySet<string>;
}

/** The key of the child run by attempt `attempt` of task `task`. */
export function childKey(task: string, attempt: number): string {
  return `${task}@${attempt}`;
}

/** The vars a subDag task's running attempt gave its child (its recorded params). */
export function childVarsOf(entry: TaskStatus): Record<string, string> | undefined {
  const params = entry.params as { vars?: Record<string, string> } | undefined;
  return entry.reason === 'ChildRunning' && !entry.worker ? (params?.vars ?? {}) : undefined;
}

/**
 * `type: subDag` (Conductor's SUB_WORKFLOW): runs another Dag as a child
 * DagInstance. Ready, the task renders the child's vars, records them as its
 * params and becomes Running on no worker (it holds no slot); the operator
 * then creates the child (operator/controller/sub-dags.ts), named after
 * parent, task and attempt so that a crash between this decision and the
 * create can never make two. Each pass looks at the child as the operator's
 * cache has it (level-triggered: a restart loses nothing), and the task ends
 * as the child ends: Succeeded with its output, or Failed (retried under the
 * task's policy, each attempt with a new child).
 */
export const subDagType: ControlType = {
  decide(ctx) {
    const spec = ctx.spec.subDag;
    if (spec === undefined) return { entry: failed(ctx, 'subDag: missing') };
    const depth = ctx.subDags?.depth ?? 0;
    if (depth >= MAX_SUBDAG_DEPTH) {
      const message = `subDag: this instance is already ${depth} levels below its root; children nest at most ${MAX_SUBDAG_DEPTH} deep (does Dag "${spec.dagName}" run itself, directly or through others?)`;
      return { entry: childFailed(ctx.from, ctx, 'SubDagTooDeep', message) };
    }
    const rendered = renderParams(spec.vars ?? {}, childVarsSources(ctx), 'subDag.vars');
    if (!rendered.ok) return { entry: failed(ctx, rendered.message) };
    const vars: Record<string, string> = {};
    for (const [name, v] of Object.entries(rendered.value as Record<string, unknown>)) {
      // A value that is exactly one reference keeps its JSON type: vars are strings.
      vars[name] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    const bytes = JSON.stringify(vars).length;
    if (bytes > MAX_CHILD_VARS_BYTES) {
      return {
        entry: failed(
          ctx,
          `subDag.vars render to ${bytes} bytes of JSON; at most ${MAX_CHILD_VARS_BYTES}`,
        ),
      };
    }
    const entry = transition(ctx.from, 'ChildStarted', {
      ...(ctx.from?.history ? { history: ctx.from.history } : {}),
      ...(ctx.from?.historyDropped ? { historyDropped: ctx.from.historyDropped } : {}),
      attempt: ctx.attempt,
      startedAt: ctx.now.toISOString(),
      reason: 'ChildRunning',
      message: `running Dag ${spec.dagName} as a child instance`,
      params: { vars },
    });
    return childSeen(ctx, entry);
  },
  waiting: (ctx, current) => childSeen(ctx, current),
  validate(task: TaskSpec, i: number): ReturnType<ControlType['validate']> {
    if (task.subDag !== undefined) return [];
    const message = `task "${task.id}" of type subDag needs subDag: {dagName: <Dag>}`;
    const path = formatPath(['spec', 'tasks', i, 'subDag']);
    return [{ reason: 'MissingSubDag', path, message }];
  },
};

/**
 * What a child's vars render from: vars, share data, the outputs (those
 * stored by reference too) and, for a copy of a fan-out, its item.
 */
function childVarsSources(ctx: ControlContext): TemplateSources {
  const outputs = outputsOf(ctx.tasks, ctx.storedOutputs);
  const sources = { vars: ctx.vars, shareData: ctx.shareData, outputs };
  const item = itemOf(ctx.id, ctx.tasks[baseIdOf(ctx.id)]?.params);
  return item ? { ...sources, item } : sources;
}

/** The running task as its child is now: unchanged while it runs (or is not seen yet), else ended. */
function childSeen(ctx: ControlContext, current: TaskStatus): ControlDecision {
  const attempt = current.attempt ?? ctx.attempt;
  const child = ctx.subDags?.children.get(childKey(ctx.id, attempt));
  const dagName = ctx.spec.subDag?.dagName ?? '';
  if (child === undefined) {
    if (!ctx.subDags?.missingDags.has(dagName)) return { entry: current };
    const message = `subDag: Dag "${dagName}" does not exist in this namespace`;
    return { entry: childFailed(current, ctx, 'SubDagMissing', message) };
  }
  if (child.state === 'running') {
    const message = `running child instance ${child.name} (Dag ${dagName})`;
    return { entry: current.message === message ? current : { ...current, message } };
  }
  if (child.state === 'failed') {
    return { entry: childFailed(current, ctx, child.reason, child.message) };
  }
  const { reason: _running, ...rest } = current;
  const entry = transition(current, 'ChildSucceeded', {
    ...rest,
    ...(child.output !== undefined ? { output: child.output } : {}),
    ...(child.outputRef !== undefined ? { outputRef: child.outputRef } : {}),
    message: `child instance ${child.name} succeeded`,
    finishedAt: ctx.now.toISOString(),
  });
  return { entry };
}

function childFailed(
  current: TaskStatus | undefined,
  ctx: ControlContext,
  reason: TaskReason,
  message: string,
): TaskStatus {
  const at = ctx.now.toISOString();
  return transition(current, 'ChildFailed', {
    ...(current ?? {}),
    attempt: current?.attempt ?? ctx.attempt,
    startedAt: current?.startedAt ?? at,
    finishedAt: at,
    reason,
    message: message.slice(0, 1024),
  });
}

/**
 * A Dag that runs itself as a sub-DAG, directly or through other Dags as
 * they are now (`dagOf` reads them): the path of Dag names that closes the
 * loop, else undefined. A Dag not visible ends the path (the depth bound
 * still stops a loop through it at run time).
 */
export function subDagLoop(
  name: string,
  spec: DagSpec,
  dagOf: (name: string) => DagSpec | undefined,
): string[] | undefined {
  const seen = new Set<string>();
  const walk = (at: DagSpec, path: string[]): string[] | undefined => {
    for (const task of at.tasks) {
      const next = taskTypeOf(task) === 'subDag' ? task.subDag?.dagName : undefined;
      if (next === undefined) continue;
      if (next === name) return [...path, next];
      if (seen.has(next)) continue;
      seen.add(next);
      const spec = dagOf(next);
      const found = spec && walk(spec, [...path, next]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(spec, [name]);
}

/** A Dag's name and how to read the other Dags of its namespace (undefined: not visible). */
export interface DagsAround {
  name: string;
  dagOf: (name: string) => DagSpec | undefined;
}

/** The Dag problem of a Dag that runs itself as a sub-DAG (subDagLoop), at the task that starts the loop. */
export function subDagLoopProblem(spec: DagSpec, around: DagsAround): ControlProblem | undefined {
  const loop = subDagLoop(around.name, spec, around.dagOf);
  if (loop === undefined) return undefined;
  const i = spec.tasks.findIndex((t) => t.subDag?.dagName === loop[1]);
  return {
    reason: 'SubDagLoop',
    path: formatPath(['spec', 'tasks', i, 'subDag', 'dagName']),
    message: `Dag "${around.name}" runs itself as a sub-DAG: ${loop.join(' -> ')}`,
  };
}
