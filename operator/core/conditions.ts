import type { Condition } from '../api/common.ts';

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/**
 * Sets one condition in a list, returning a new list. lastTransitionTime moves
 * only when the status flips, as the API conventions require, so repeating a
 * reconcile leaves the list unchanged.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  next: ConditionInput,
  now: Date,
): Condition[] {
  const list = conditions ?? [];
  const old = list.find((c) => c.type === next.type);
  const lastTransitionTime =
    old && old.status === next.status ? old.lastTransitionTime : now.toISOString();
  const updated: Condition = { ...next, lastTransitionTime };
  return old ? list.map((c) => (c.type === next.type ? updated : c)) : [...list, updated];
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
