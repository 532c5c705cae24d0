import type { TaskSpec } from '../api/dag.ts';
import { readsShareData } from './control/dispatch.ts';

export interface PreCheckVerdict {
  act: 'skip' | 'block';
  check: string;
}

type Condition = {
  source: 'vars' | 'share-data';
  key: string;
  op: 'in' | 'not-in' | 'eq' | 'ne' | 'exists' | 'not-exists';
  values?: string[];
};
type Check = { name?: string; act: 'skip' | 'block'; conditions: Condition[] };

/**
 * A task's checks in a documented, deterministic order: a map by check name
 * (sorted), a list in its own order, unnamed list entries as `#<index>`.
 * fastflow walked a Go map, so with several checks the outcome was random.
 */
export function orderedChecks(preCheck: TaskSpec['preCheck']): Array<Check & { name: string }> {
  if (!preCheck) return [];
  if (Array.isArray(preCheck)) return preCheck.map((c, i) => ({ ...c, name: c.name ?? `#${i}` }));
  return Object.keys(preCheck)
    .sort()
    .map((name) => ({ ...(preCheck[name] as Check), name }));
}

/**
 * Evaluates a ready task's checks: the first whose conditions all hold
 * decides (skip or block); none holding means run. A task continued after a
 * block does not evaluate block checks again (it would block forever), but
 * its skip checks still apply, as in fastflow.
 */
export function evaluatePreCheck(
  preCheck: TaskSpec['preCheck'],
  sources: { vars: Readonly<Record<string, string>>; shareData: Readonly<Record<string, string>> },
  continued: boolean,
): PreCheckVerdict | undefined {
  for (const check of orderedChecks(preCheck)) {
    if (continued && check.act === 'block') continue;
    const holds = check.conditions.every((c) =>
      conditionHolds(c, c.source === 'vars' ? sources.vars : sources.shareData),
    );
    if (holds) return { act: check.act, check: check.name };
  }
  return undefined;
}

/** A missing key makes `in`, `not-in`, `eq` and `ne` false (fastflow's rule), `not-exists` true. */
function conditionHolds(c: Condition, source: Readonly<Record<string, string>>): boolean {
  const present = Object.hasOwn(source, c.key);
  const value = source[c.key];
  const values = c.values ?? [];
  switch (c.op) {
    case 'exists':
      return present;
    case 'not-exists':
      return !present;
    case 'in':
      return present && values.includes(value as string);
    case 'not-in':
      return present && !values.includes(value as string);
    case 'eq':
      return present && value === values[0];
    case 'ne':
      return present && value !== values[0];
  }
}

/** Whether any task reads share data in a check or a system task: only then does the operator load it. */
export function usesShareData(tasks: Iterable<TaskSpec>): boolean {
  for (const t of tasks) {
    if (
      orderedChecks(t.preCheck).some((c) => c.conditions.some((k) => k.source === 'share-data')) ||
      readsShareData(t)
    ) {
      return true;
    }
  }
  return false;
}
