import type { TaskStatus } from '../../api/dag-instance.ts';
import type { TaskSpec } from '../../api/dag.ts';
import { formatPath } from '../../api/field-path.ts';
import {
  DEFAULT_FANOUT_CONCURRENCY,
  MAX_FANOUT_ITEMS,
  type ForEachSpec,
} from '../../api/grown-tasks.ts';
import { taskTypeOf } from '../../api/task-types.ts';
import { fanOutKey, UNDER_WAY } from '../grown-graph.ts';
import { transition } from '../task-transitions.ts';
import { celToJson, checkCel, evaluateCel } from './cel.ts';
import { DONE_OK } from './optional.ts';
import {
  failed,
  succeeded,
  type ControlContext,
  type ControlDecision,
  type ControlProblem,
  type ControlType,
} from './decision.ts';

/**
 * The most JSON a fan-out keeps in its status entry, for its items and for
 * its copies' outputs (a status holds 256 KiB in all). Kept by reference in
 * attempt data beyond it is a follow-up.
 */
export const MAX_INLINE_LIST_BYTES = 64 * 1024;

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * `forEach` on a task (Conductor's FORK_JOIN_DYNAMIC): when the task is
 * ready its items are evaluated once and recorded as its params
 * (`params.items`, which copies render `{{item}}` from); the task is then
 * Running on no worker while its copies `id[0]` … `id[n-1]` run, at most
 * maxConcurrency at once, in item order. It succeeds once every copy has,
 * its output the copies' outputs in item order; a copy that fails for good
 * (not optional) stops new copies from starting and fails it once none is
 * under way.
 */
export const fanOutControl: ControlType = {
  decide(ctx) {
    const spec = ctx.spec.forEach as ForEachSpec;
    const result = evaluateCel(spec.items, ctx);
    if (!result.ok) return { entry: failed(ctx, `forEach.items: ${result.message}`) };
    const items = asList(celToJson(result.value));
    if (items === undefined) {
      return {
        entry: failed(ctx, `forEach.items must give a list (or a JSON string of one)`),
      };
    }
    const bound = spec.maxItems ?? MAX_FANOUT_ITEMS;
    if (items.length > bound) {
      const message = `forEach.items gave ${items.length} items, more than maxItems ${bound}`;
      return { entry: failed(ctx, message, 'FanOutTooLarge') };
    }
    if (items.length === 0) return { entry: succeeded(ctx, [], 'no items: no copy ran') };
    const bytes = jsonBytes(items);
    if (bytes > MAX_INLINE_LIST_BYTES) {
      const message = `forEach.items take ${bytes} bytes of JSON, more than the ${MAX_INLINE_LIST_BYTES} a fan-out records in its instance's status`;
      return { entry: failed(ctx, message, 'FanOutTooLarge') };
    }
    const entry = transition(ctx.from, 'GrowthStarted', {
      ...kept(ctx.from),
      attempt: ctx.attempt,
      startedAt: ctx.now.toISOString(),
      params: { items },
      items: items.length,
      message: `0/${items.length} copies done`,
    });
    return advance(ctx, entry);
  },
  waiting: advance,
  validate: validateForEach,
};

function kept(from: TaskStatus | undefined): Partial<TaskStatus> {
  return {
    ...(from?.history ? { history: from.history } : {}),
    ...(from?.historyDropped ? { historyDropped: from.historyDropped } : {}),
  };
}

/** A list, or a string holding the JSON of one. */
function asList(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value as unknown[];
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? (parsed as unknown[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Visits the copies in item order: each under way goes on (a failed one
 * is retried under the task's policy), and one not yet started starts while
 * fewer than maxConcurrency are under way and no copy has failed for good.
 */
function advance(ctx: ControlContext, entry: TaskStatus): ControlDecision {
  ctx.enter(entry);
  const n = entry.items ?? 0;
  const limit = ctx.spec.forEach?.maxConcurrency ?? DEFAULT_FANOUT_CONCURRENCY;
  let underWay = 0;
  let stopped = false;
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = fanOutKey(ctx.id, i);
    keys.push(key);
    const before = ctx.tasks[key];
    if (before === undefined && (stopped || underWay >= limit)) continue;
    ctx.grow(key, true);
    const after = ctx.tasks[key];
    if (after !== undefined && UNDER_WAY.has(after.phase)) underWay++;
    else if (stops(ctx, after)) stopped = true;
  }
  return { entry: outcome(ctx, entry, keys, underWay) };
}

/** A copy that keeps the rest from starting: failed for good (unless optional), canceled, blocked. */
function stops(ctx: ControlContext, copy: TaskStatus | undefined): boolean {
  if (copy?.phase === 'Failed') return ctx.spec.optional !== true;
  return copy?.phase === 'Canceled' || copy?.phase === 'Blocked';
}

/**
 * The fan-out once its copies are visited: Running while any is under way
 * (or blocked) or some have not started; Failed once one failed for good
 * and none is under way; Succeeded with their outputs once all are done.
 */
function outcome(
  ctx: ControlContext,
  entry: TaskStatus,
  keys: readonly string[],
  underWay: number,
): TaskStatus {
  const entries = keys.map((k) => ctx.tasks[k]);
  const done = entries.filter((e) => e !== undefined && DONE_OK.has(e.phase)).length;
  const blocked = entries.some((e) => e?.phase === 'Blocked');
  const lost = keys.find((_, i) => ['Failed', 'Canceled'].includes(entries[i]?.phase ?? ''));
  const finishedAt = ctx.now.toISOString();
  const { reason: _r, ...rest } = entry;
  if (done === keys.length) {
    const output = entries.map(listedOutput);
    const bytes = jsonBytes(output);
    const fits = bytes <= MAX_INLINE_LIST_BYTES;
    return transition(entry, 'SystemDecided', {
      ...rest,
      ...(fits ? { output } : {}),
      finishedAt,
      message: fits
        ? `${done}/${keys.length} copies done`
        : `${done}/${keys.length} copies done; their outputs take ${bytes} bytes of JSON, more than the ${MAX_INLINE_LIST_BYTES} a fan-out lists in its instance's status: read them from the copies`,
    });
  }
  if (lost !== undefined && underWay === 0 && !blocked) {
    const e = ctx.tasks[lost];
    const message = `copy ${lost} ${e?.phase === 'Failed' ? 'failed' : 'was canceled'}${e?.message ? `: ${e.message}` : ''}`;
    return transition(entry, 'SystemFailed', {
      ...rest,
      reason: 'GrownTaskFailed',
      finishedAt,
      message: message.slice(0, 1024),
    });
  }
  const message = `${done}/${keys.length} copies done`;
  return entry.message === message ? entry : { ...entry, message };
}

/**
 * A grown task's output as a fan-out's or a loop's output lists it: inline
 * as it is; one kept in its attempt data by reference, named (the listing
 * is then read with that task's data object).
 */
export function listedOutput(entry: TaskStatus | undefined): unknown {
  if (entry?.outputRef !== undefined) return { outputRef: entry.outputRef };
  return entry?.output ?? null;
}

function validateForEach(task: TaskSpec, i: number): ControlProblem[] {
  const at = (...path: PropertyKey[]): string => formatPath(['spec', 'tasks', i, ...path]);
  const problems: ControlProblem[] = [];
  const type = taskTypeOf(task);
  // A subDag runs as a group of tasks per item; any other system type is decided once.
  if (type !== 'action' && type !== ('subDag' as string)) {
    problems.push({
      reason: 'FieldOfOtherType',
      path: at('forEach'),
      message: `task "${task.id}" is of type ${type}: forEach is only for an action or subDag task`,
    });
  }
  const checked = checkCel(task.forEach?.items ?? '');
  if (!checked.ok) {
    problems.push({
      reason: 'InvalidExpression',
      path: at('forEach', 'items'),
      message: `${task.forEach?.items}: ${checked.message}`,
    });
  } else if (!['list', 'dyn', 'string'].some((t) => checked.type.startsWith(t))) {
    problems.push({
      reason: 'InvalidExpression',
      path: at('forEach', 'items'),
      message: `${task.forEach?.items}: gives ${checked.type}; it must give a list (or a JSON string of one)`,
    });
  }
  return problems;
}
