/**
 * Conductor's ordered task lists → dependOn. Each task depends on what came
 * before it in its list; the operators nest lists: after a SWITCH the next
 * task depends on every branch's last task (the branches depend on the
 * switch), FORK_JOIN branches start together and the tasks after the JOIN
 * depend on its joinOn (FORK_JOIN and JOIN are no tasks of their own: plain
 * dependOn), a DO_WHILE's body is its own chain, run by the loop task.
 */
import { isRecord } from '../migrate-findings.ts';
import { loopCondition, switchExpression } from './conditions.ts';
import type { Conversion, DagTask, Path } from './context.ts';
import { dynamicFork } from './dynamic-fork.ts';
import type { TypePart } from './placeholder.ts';
import { typePart } from './task-converters.ts';

type Task = Record<string, unknown>;

/** Conductor sets no bound on a DO_WHILE; the loop's maxIterations is this unless you change it. */
export const CONVERTED_MAX_ITERATIONS = 1000;

/** Converts `list` after `deps`; resolves with the ids the next task depends on. */
export function convertList(list: unknown, at: Path, deps: string[], conv: Conversion): string[] {
  if (list === undefined) return deps;
  if (!Array.isArray(list)) {
    conv.problem(at, 'expected a list of tasks');
    return deps;
  }
  let after = deps;
  (list as unknown[]).forEach((task, i) => {
    if (!isRecord(task)) conv.problem([...at, i], 'expected a task (a mapping)');
    else after = convertTask(task, [...at, i], after, conv);
  });
  return after;
}

function convertTask(task: Task, at: Path, deps: string[], conv: Conversion): string[] {
  const ref = task['taskReferenceName'];
  const info = typeof ref === 'string' ? conv.refs.get(ref) : undefined;
  if (typeof ref !== 'string' || info === undefined || info.path.join('.') !== at.join('.'))
    return deps;
  const id = info.id;
  switch (info.type) {
    case 'FORK_JOIN': {
      const forks = Array.isArray(task['forkTasks']) ? (task['forkTasks'] as unknown[]) : [];
      const exits = forks.flatMap((b, j) => convertList(b, [...at, 'forkTasks', j], deps, conv));
      return forks.length > 0 ? unique(exits) : deps;
    }
    case 'JOIN':
      return join(task, at, deps, conv, info.dynamicFork !== undefined);
    case 'SWITCH':
    case 'DECISION':
      return switchTask(task, at, deps, conv, ref, id);
    case 'DO_WHILE':
      return loopTask(task, at, deps, conv, ref, id);
    case 'FORK_JOIN_DYNAMIC':
      add(conv, task, at, ref, id, deps, dynamicFork(task, at, conv, ref));
      return [id];
    default:
      add(conv, task, at, ref, id, deps, typePart(task, info.type, at, conv, ref));
      return [id];
  }
}

/** The tasks after a JOIN depend on its joinOn (after a dynamic fork: on the fork task, which waits for every copy). */
function join(
  task: Task,
  at: Path,
  deps: string[],
  conv: Conversion,
  afterDynamic: boolean,
): string[] {
  if (afterDynamic) return deps;
  const joinOn = Array.isArray(task['joinOn']) ? (task['joinOn'] as unknown[]) : [];
  const ids: string[] = [];
  joinOn.forEach((r, k) => {
    const id = typeof r === 'string' ? conv.idOf(r) : undefined;
    if (id === undefined)
      conv.problem(
        [...at, 'joinOn', k],
        `joinOn names no task of this workflow: ${JSON.stringify(r)}`,
      );
    else ids.push(id);
  });
  return ids.length > 0 ? unique(ids) : deps;
}

function switchTask(
  task: Task,
  at: Path,
  deps: string[],
  conv: Conversion,
  ref: string,
  id: string,
): string[] {
  const spec = {
    expression: switchExpression(task, at, conv, ref),
    cases: {} as Record<string, string[]>,
  };
  const written = add(conv, task, at, ref, id, deps, { type: 'switch', switch: spec });
  const branch = (list: unknown, path: Path): { tasks: string[]; exits: string[] } => {
    const before = conv.tasks.length;
    const exits = convertList(list, path, [id], conv);
    const tasks = conv.tasks
      .slice(before)
      .map((t) => t.id)
      .filter((t) => !conv.loopBodies.has(t));
    return { tasks, exits };
  };
  const exits: string[] = [];
  const cases = isRecord(task['decisionCases']) ? task['decisionCases'] : {};
  for (const [name, list] of Object.entries(cases)) {
    const b = branch(list, [...at, 'decisionCases', name]);
    if (name === 'default') {
      conv.problem(
        [...at, 'decisionCases', name],
        `switch "${ref}": a case named "default" has no equivalent (default is the default branch): rename it`,
        ref,
      );
      continue;
    }
    spec.cases[name] = b.tasks;
    exits.push(...b.exits);
  }
  const fallback = branch(task['defaultCase'] ?? [], [...at, 'defaultCase']);
  if (task['defaultCase'] !== undefined) written.switch = { ...spec, default: fallback.tasks };
  exits.push(...fallback.exits);
  return unique(exits);
}

function loopTask(
  task: Task,
  at: Path,
  deps: string[],
  conv: Conversion,
  ref: string,
  id: string,
): string[] {
  const written = add(conv, task, at, ref, id, deps, { type: 'loop' });
  const before = conv.tasks.length;
  const outer = conv.scope;
  conv.scope = id;
  convertList(task['loopOver'], [...at, 'loopOver'], [], conv);
  conv.scope = outer;
  const body = conv.tasks.slice(before).map((t) => t.id);
  for (const b of body) conv.loopBodies.add(b);
  if (body.length === 0) conv.problem([...at, 'loopOver'], `loop "${ref}": an empty loopOver`, ref);
  if (task['items'] !== undefined) {
    conv.problem(
      [...at, 'items'],
      `loop "${ref}": iterating over items has no loop equivalent: use a FORK_JOIN_DYNAMIC (forEach) or a loopCondition`,
      ref,
    );
  }
  const bodyRefs = new Set([...conv.refs].filter(([, r]) => body.includes(r.id)).map(([r]) => r));
  const condition = loopCondition(task, at, conv, ref, bodyRefs);
  const inputs = isRecord(task['inputParameters']) ? task['inputParameters'] : {};
  const keepLastN = inputs['keepLastN'];
  if (typeof keepLastN !== 'number') {
    conv.note(
      [...at],
      `loop "${ref}": Conductor kept every iteration's tasks; the loop keeps the last 10 (keepLast)`,
    );
  }
  conv.note(
    [...at],
    `loop "${ref}": Conductor sets no bound; maxIterations is ${CONVERTED_MAX_ITERATIONS} (reaching it fails the loop): change it if yours runs longer`,
  );
  written.loop = {
    body,
    while: condition ?? 'false',
    maxIterations: CONVERTED_MAX_ITERATIONS,
    ...(typeof keepLastN === 'number'
      ? { keepLast: Math.min(100, Math.max(1, Math.trunc(keepLastN))) }
      : {}),
  };
  return [id];
}

/** Writes the task: its id, what it depends on, the fields every Conductor task has, then its type's. */
function add(
  conv: Conversion,
  task: Task,
  at: Path,
  ref: string,
  id: string,
  deps: string[],
  part: TypePart,
): DagTask {
  const written: DagTask = {
    id,
    ...(deps.length > 0 ? { dependOn: [...deps] } : {}),
    ...common(task, at, conv, ref),
    ...part,
  };
  conv.tasks.push(written);
  return written;
}

/** optional, description, retries and timeouts (from the task or its inline taskDefinition). */
function common(task: Task, at: Path, conv: Conversion, ref: string): Partial<DagTask> {
  const out: Partial<DagTask> = {};
  if (task['optional'] === true) out.optional = true;
  const desc = task['description'];
  if (typeof desc === 'string' && desc !== '') out.desc = desc.slice(0, 1024);
  const def = isRecord(task['taskDefinition']) ? task['taskDefinition'] : {};
  const retry = retryOf(task, def, at, conv, ref);
  if (retry) out.retry = retry;
  const timeout = def['timeoutSeconds'];
  if (typeof timeout === 'number' && timeout > 0) out.timeoutSecs = Math.trunc(timeout);
  for (const key of ['startDelay', 'asyncComplete', 'rateLimited'] as const) {
    const v = task[key];
    if (v !== undefined && v !== false && v !== 0) {
      conv.note([...at, key], `task "${ref}": ${key} has no equivalent and is left out`);
    }
  }
  return out;
}

/** The task's retryCount (else its taskDefinition's), with the definition's delay and backoff. */
function retryOf(
  task: Task,
  def: Record<string, unknown>,
  at: Path,
  conv: Conversion,
  ref: string,
): DagTask['retry'] {
  const limit = typeof task['retryCount'] === 'number' ? task['retryCount'] : def['retryCount'];
  if (typeof limit !== 'number' || limit <= 0) return undefined;
  const delay = def['retryDelaySeconds'];
  const factor = def['retryLogic'] === 'EXPONENTIAL_BACKOFF' ? 2 : 1;
  if (def['retryLogic'] === 'LINEAR_BACKOFF') {
    conv.note(
      [...at, 'taskDefinition', 'retryLogic'],
      `task "${ref}": linear backoff is written as a fixed delay`,
    );
  }
  return {
    limit: Math.min(100, Math.trunc(limit)),
    ...(typeof delay === 'number' ? { backoff: { seconds: Math.min(86400, delay), factor } } : {}),
  };
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
