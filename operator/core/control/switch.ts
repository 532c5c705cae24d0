import type { TaskSpec } from '../../api/dag.ts';
import type { SwitchSpec } from '../../api/task-types.ts';
import type { TaskStatus } from '../../api/dag-instance.ts';
import { formatPath } from '../../api/field-path.ts';
import { descendantsOf, type DagGraph } from '../graph.ts';
import { transition } from '../task-transitions.ts';
import { checkCel, evaluateCel, type CelSources } from './cel.ts';
import { failed, succeeded, type ControlProblem, type ControlType } from './decision.ts';

/** The case picked when the expression names none of the cases. */
export const DEFAULT_CASE = 'default';

/** What a switch records as its output (Conductor's names, so migrated flows read the same). */
export interface SwitchOutput {
  selectedCase: string;
  evaluationResult: string;
}

/**
 * `type: switch`: evaluates its CEL expression and records the case it
 * picked. It skips nothing itself: each listed task, when it becomes ready,
 * is skipped by `branchNotTaken` unless its case was picked, so a pass that
 * is repeated, or that sees the switch skipped, decides the same.
 */
export const switchType: ControlType = {
  decide(ctx) {
    const spec = ctx.spec.switch;
    if (spec === undefined) return { entry: failed(ctx, 'switch: missing') };
    const pick = pickCase(spec, ctx);
    if (!pick.ok) return { entry: failed(ctx, pick.message) };
    const { selectedCase: picked, evaluationResult: value } = pick.output;
    const message =
      picked === value ? `picked case "${value}"` : `no case "${value}": picked ${DEFAULT_CASE}`;
    return { entry: succeeded(ctx, pick.output, message) };
  },
  validate: validateSwitch,
};

export type CasePick = { ok: true; output: SwitchOutput } | { ok: false; message: string };

/**
 * The case a switch picks over these sources: the one pure function both the
 * operator's decision and a worker's look-ahead (switch-branch.ts) call.
 */
export function pickCase(spec: SwitchSpec, sources: CelSources): CasePick {
  const result = evaluateCel(spec.expression, sources);
  if (!result.ok) return { ok: false, message: `switch expression: ${result.message}` };
  const value = caseKey(result.value);
  if (value === undefined) {
    return {
      ok: false,
      message: `switch expression returned ${describe(result.value)}; it must return a string, an int or a bool naming a case`,
    };
  }
  const picked = Object.hasOwn(spec.cases, value) ? value : DEFAULT_CASE;
  return { ok: true, output: { selectedCase: picked, evaluationResult: value } };
}

/** A case is named by a string; an int or bool names it as CEL's string() would write it. */
function caseKey(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return `the double ${value}`;
  return typeof value === 'object' ? 'a map' : `a ${typeof value}`;
}

/** For each task listed under some case: the switches listing it, and under which cases. */
type Memberships = ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;
const membershipsOf = new WeakMap<DagGraph, Memberships>();

function memberships(graph: DagGraph): Memberships {
  const known = membershipsOf.get(graph);
  if (known) return known;
  const index = new Map<string, Map<string, Set<string>>>();
  for (const [sw, spec] of graph.tasks) {
    if (spec.type !== 'switch' || spec.switch === undefined) continue;
    const lists: Array<[string, readonly string[]]> = Object.entries(spec.switch.cases);
    if (spec.switch.default) lists.push([DEFAULT_CASE, spec.switch.default]);
    for (const [name, ids] of lists) {
      for (const id of ids) {
        const bySwitch = index.get(id) ?? new Map<string, Set<string>>();
        index.set(id, bySwitch);
        bySwitch.set(sw, (bySwitch.get(sw) ?? new Set()).add(name));
      }
    }
  }
  membershipsOf.set(graph, index);
  return index;
}

/** The switches listing `id` under cases, and under which (none: undefined). */
export function casesOf(
  graph: DagGraph,
  id: string,
): ReadonlyMap<string, ReadonlySet<string>> | undefined {
  return memberships(graph).get(id);
}

/** Whether a switch lists `id` under a case: only a decision when it is ready may start it. */
export function inSwitchCase(graph: DagGraph, id: string): boolean {
  return memberships(graph).has(id);
}

/**
 * The Skipped entry of ready task `id` when a switch lists it under cases
 * it did not pick (or the switch itself did not succeed); undefined when
 * the task may go on.
 */
export function branchNotTaken(
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
  id: string,
  now: Date,
): TaskStatus | undefined {
  for (const [sw, cases] of memberships(graph).get(id) ?? []) {
    const entry = tasks[sw];
    const picked = (entry?.output as Partial<SwitchOutput> | undefined)?.selectedCase;
    if (entry?.phase === 'Succeeded' && picked !== undefined && cases.has(picked)) continue;
    const why =
      entry?.phase === 'Succeeded'
        ? `switch "${sw}" picked case "${picked}"`
        : `switch "${sw}" ended ${entry?.phase ?? 'Pending'}`;
    return transition(tasks[id], 'BranchNotTaken', {
      ...tasks[id],
      reason: 'BranchNotTaken',
      message: `${why}: not in this branch`,
      finishedAt: now.toISOString(),
    });
  }
  return undefined;
}

function validateSwitch(
  task: TaskSpec,
  i: number,
  _spec: unknown,
  graph: DagGraph,
): ControlProblem[] {
  const at = (...path: PropertyKey[]): string => formatPath(['spec', 'tasks', i, ...path]);
  const spec = task.switch;
  if (spec === undefined) {
    return [
      {
        reason: 'MissingSwitch',
        path: at('switch'),
        message: `task "${task.id}" of type switch needs switch: {expression, cases}`,
      },
    ];
  }
  const problems: ControlProblem[] = [];
  const checked = checkCel(spec.expression);
  if (!checked.ok) {
    problems.push({
      reason: 'InvalidExpression',
      path: at('switch', 'expression'),
      message: `${spec.expression}: ${checked.message}`,
    });
  }
  if (Object.hasOwn(spec.cases, DEFAULT_CASE)) {
    problems.push({
      reason: 'ReservedCaseName',
      path: at('switch', 'cases', DEFAULT_CASE),
      message: `"${DEFAULT_CASE}" is not a case name: list its tasks under switch.default`,
    });
  }
  const after = descendantsOf(graph, task.id);
  const lists: Array<[PropertyKey[], readonly string[]]> = Object.entries(spec.cases).map(
    ([name, ids]) => [['cases', name], ids],
  );
  if (spec.default) lists.push([[DEFAULT_CASE], spec.default]);
  for (const [path, ids] of lists) {
    ids.forEach((id, j) => {
      if (after.has(id)) return;
      problems.push({
        reason: graph.tasks.has(id) ? 'BranchNotAfterSwitch' : 'UnknownBranchTask',
        path: at('switch', ...path, j),
        message: graph.tasks.has(id)
          ? `task "${id}" is in a branch of switch "${task.id}": it must depend on it (directly or through other tasks)`
          : `switch "${task.id}" lists "${id}", which is not a task of this Dag`,
      });
    });
  }
  return problems;
}
