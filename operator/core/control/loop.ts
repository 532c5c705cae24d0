import type { TaskStatus } from '../../api/dag-instance.ts';
import type { DagSpec, TaskSpec } from '../../api/dag.ts';
import { formatPath } from '../../api/field-path.ts';
import { DEFAULT_LOOP_KEEP_LAST, type LoopSpec } from '../../api/grown-tasks.ts';
import { taskTypeOf } from '../../api/task-types.ts';
import type { DagGraph } from '../graph.ts';
import { iterationKey, loopBody, UNDER_WAY } from '../grown-graph.ts';
import { transition } from '../task-transitions.ts';
import { checkCel, evaluateCel } from './cel.ts';
import { listedOutput } from './fan-out.ts';
import {
  type ControlContext,
  type ControlDecision,
  type ControlProblem,
  type ControlType,
} from './decision.ts';
import { DONE_OK } from './optional.ts';

/**
 * `type: loop` (DO_WHILE): iteration 1 of the body runs when the loop is
 * ready (`step#1`, …); once every body task of an iteration has succeeded,
 * `while` decides whether the next one runs. The loop is Running on no
 * worker meanwhile; the latest iteration's entries are mirrored under the
 * body ids (what `tasks.<body id>` reads, in `while` and in templates). A
 * body task that fails for good fails the loop.
 */
export const loopType: ControlType = {
  decide(ctx) {
    // A loop retried goes on from the iteration it stopped in.
    const iteration = ctx.from?.iteration ?? 1;
    const entry = transition(ctx.from, 'GrowthStarted', {
      ...(ctx.from?.history ? { history: ctx.from.history } : {}),
      ...(ctx.from?.historyDropped ? { historyDropped: ctx.from.historyDropped } : {}),
      ...(ctx.from?.iterationsDropped ? { iterationsDropped: ctx.from.iterationsDropped } : {}),
      attempt: ctx.attempt,
      startedAt: ctx.now.toISOString(),
      iteration,
      message: `iteration ${iteration}`,
    });
    return advance(ctx, entry);
  },
  waiting: advance,
  validate: validateLoop,
};

/** Visits the current iteration's body; when it is done, decides the next (same pass). */
function advance(ctx: ControlContext, start: TaskStatus): ControlDecision {
  const body = loopBody(ctx.graph, ctx.id);
  const others: Record<string, TaskStatus> = {};
  const drop: string[] = [];
  for (let entry = start; ;) {
    const state = visitIteration(ctx, body, entry.iteration ?? 1, others);
    const after = afterIteration(ctx, entry, state, body, { ...ctx.tasks, ...others });
    if ('end' in after) return { entry: after.end, others, ...(drop.length ? { drop } : {}) };
    drop.push(...after.drop);
    entry = after.next;
  }
}

type After = { end: TaskStatus } | { next: TaskStatus; drop: string[] };

/**
 * What follows the visit of an iteration: still under way, failed, ended
 * by its condition or by maxIterations, or the next iteration.
 */
function afterIteration(
  ctx: ControlContext,
  entry: TaskStatus,
  state: IterationState,
  body: readonly string[],
  tasks: Readonly<Record<string, TaskStatus>>,
): After {
  const spec = ctx.spec.loop as LoopSpec;
  const i = entry.iteration ?? 1;
  const { reason: _r, ...rest } = entry;
  if (state.lost !== undefined && state.underWay === 0) {
    const e = ctx.tasks[state.lost];
    const what = e?.phase === 'Failed' ? 'failed' : 'was canceled';
    const message = `iteration ${i}: ${state.lost} ${what}${e?.message ? `: ${e.message}` : ''}`;
    return { end: failedAt(ctx, rest, message, 'GrownTaskFailed') };
  }
  if (state.done < body.length) {
    const message = `iteration ${i}`;
    return { end: entry.message === message ? entry : { ...entry, message } };
  }
  const result = evaluateCel(spec.while, { ...ctx, tasks, iteration: i });
  const verdict = result.ok ? result.value : undefined;
  if (typeof verdict !== 'boolean') {
    const why = result.ok ? `gave ${typeof verdict}, not a bool` : result.message;
    return { end: failedAt(ctx, rest, `loop while (iteration ${i}): ${why}`) };
  }
  if (!verdict) {
    const outputs = Object.fromEntries(body.map((b) => [b, listedOutput(tasks[b])]));
    const end = transition(entry, 'SystemDecided', {
      ...rest,
      output: { iteration: i, outputs },
      finishedAt: ctx.now.toISOString(),
      message: `${i} iteration(s): while is false`,
    });
    return { end };
  }
  if (i >= spec.maxIterations) {
    const message = `ran maxIterations ${spec.maxIterations} and while still holds`;
    return { end: failedAt(ctx, rest, message, 'LoopLimitReached') };
  }
  return nextIteration(ctx, entry, body);
}

/** Iteration i + 1 starts; the one keepLast before it leaves status, counted. */
function nextIteration(ctx: ControlContext, entry: TaskStatus, body: readonly string[]): After {
  const i = entry.iteration ?? 1;
  const old = i + 1 - ((ctx.spec.loop as LoopSpec).keepLast ?? DEFAULT_LOOP_KEEP_LAST);
  const drop = old >= 1 ? body.map((b) => iterationKey(b, old)).filter((k) => ctx.tasks[k]) : [];
  const dropped = Math.max(entry.iterationsDropped ?? 0, old);
  const next = { ...entry, iteration: i + 1, message: `iteration ${i + 1}` };
  return { next: dropped > 0 ? { ...next, iterationsDropped: dropped } : next, drop };
}

function failedAt(
  ctx: ControlContext,
  rest: Omit<TaskStatus, 'phase'>,
  message: string,
  reason: 'SystemTaskFailed' | 'LoopLimitReached' | 'GrownTaskFailed' = 'SystemTaskFailed',
): TaskStatus {
  const finishedAt = ctx.now.toISOString();
  const fields = { ...rest, reason, message: message.slice(0, 1024), finishedAt };
  return transition({ ...rest, phase: 'Running' }, 'SystemFailed', fields);
}

/**
 * Visits iteration `i`'s body tasks, parents first, and mirrors each entry
 * under its body id (without worker: the mirror is read, never run).
 */
interface IterationState {
  done: number;
  underWay: number;
  lost?: string;
}

function visitIteration(
  ctx: ControlContext,
  body: readonly string[],
  i: number,
  mirrors: Record<string, TaskStatus>,
): IterationState {
  let done = 0;
  let underWay = 0;
  let lost: string | undefined;
  for (const b of body) {
    const key = iterationKey(b, i);
    const ready = (ctx.graph.parents.get(b) ?? []).every((p) =>
      passed(ctx.graph, p, ctx.tasks[iterationKey(p, i)]),
    );
    ctx.grow(key, ready);
    const e = ctx.tasks[key];
    if (e !== undefined) mirrors[b] = mirrorOf(e);
    if (passed(ctx.graph, b, e)) done++;
    else if (e !== undefined && (UNDER_WAY.has(e.phase) || e.phase === 'Blocked')) underWay++;
    else if (e !== undefined && (e.phase === 'Failed' || e.phase === 'Canceled')) lost ??= key;
  }
  return { done, underWay, ...(lost !== undefined ? { lost } : {}) };
}

function passed(graph: DagGraph, id: string, e: TaskStatus | undefined): boolean {
  if (e === undefined) return false;
  return DONE_OK.has(e.phase) || (e.phase === 'Failed' && graph.tasks.get(id)?.optional === true);
}

function mirrorOf(e: TaskStatus): TaskStatus {
  const { worker: _w, history: _h, params: _p, after: _a, heartbeatAt: _b, ...rest } = e;
  return rest;
}

function validateLoop(task: TaskSpec, i: number, spec: DagSpec, graph: DagGraph): ControlProblem[] {
  const at = (...path: PropertyKey[]): string => formatPath(['spec', 'tasks', i, ...path]);
  const loop = task.loop;
  if (loop === undefined) {
    const message = `task "${task.id}" of type loop needs loop: {body, while, maxIterations}`;
    return [{ reason: 'MissingLoop', path: at('loop'), message }];
  }
  const problems: ControlProblem[] = [];
  const problem = (reason: string, path: string, message: string): void => {
    problems.push({ reason, path, message });
  };
  const checked = checkCel(loop.while, 'loop');
  if (!checked.ok)
    problem('InvalidExpression', at('loop', 'while'), `${loop.while}: ${checked.message}`);
  else if (checked.type !== 'bool' && checked.type !== 'dyn') {
    problem(
      'InvalidExpression',
      at('loop', 'while'),
      `${loop.while}: gives ${checked.type}, not a bool`,
    );
  }
  const body = new Set(loop.body);
  // Loops listed earlier in the Dag: a task is in one loop's body at most.
  const earlier = spec.tasks.slice(0, i).filter((t) => taskTypeOf(t) === 'loop' && t.loop);
  loop.body.forEach((id, j) => {
    const path = at('loop', 'body', j);
    const member = graph.tasks.get(id);
    if (id === task.id)
      return problem('LoopInItsBody', path, `loop "${task.id}" lists itself in its body`);
    if (member === undefined) {
      return problem(
        'UnknownBodyTask',
        path,
        `loop "${task.id}" lists "${id}", which is not a task of this Dag`,
      );
    }
    const other = earlier.find((t) => t.loop?.body.includes(id));
    if (other)
      problem(
        'BodyTaskInTwoLoops',
        path,
        `task "${id}" is in the body of loops "${other.id}" and "${task.id}"`,
      );
    if (taskTypeOf(member) === 'loop')
      problem(
        'LoopInLoopBody',
        path,
        `loop "${id}" is in the body of loop "${task.id}": loops do not nest`,
      );
    if (member.forEach)
      problem(
        'FanOutInLoopBody',
        path,
        `task "${id}" has forEach: a loop body task runs once per iteration`,
      );
    for (const p of graph.parents.get(id) ?? []) {
      if (!body.has(p))
        problem(
          'BodyTaskDependsOutside',
          path,
          `body task "${id}" of loop "${task.id}" depends on "${p}", outside the body: make the loop depend on it`,
        );
    }
    for (const c of graph.children.get(id) ?? []) {
      if (!body.has(c))
        problem(
          'BodyTaskDependedOn',
          path,
          `task "${c}" depends on body task "${id}" of loop "${task.id}": make it depend on the loop`,
        );
    }
  });
  return problems;
}
