import type { z } from 'zod';
import {
  DagSpec,
  PreCheckCondition,
  PreCheckRule,
  RetryPolicy,
  TaskSpec,
  VarDef,
} from '../api/dag.ts';
import type { Found, Segment } from './lint-paths.ts';

/** Every field name of a Dag's schema, to suggest one for a misspelt field. */
const KNOWN_FIELDS = [
  ...new Set(
    [DagSpec, TaskSpec, VarDef, RetryPolicy, PreCheckRule, PreCheckCondition].flatMap((s) =>
      Object.keys(s.shape),
    ),
  ),
  'seconds',
  'factor',
  'maxSeconds',
  'name',
];

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + cost);
      prev = cur;
    }
  }
  return row[b.length] as number;
}

function suggestion(key: string): string {
  const best = KNOWN_FIELDS.map((f) => ({ f, d: editDistance(key, f) }))
    .filter(({ f, d }) => d <= Math.min(2, Math.floor(f.length / 3)) && f !== key)
    .sort((x, y) => x.d - y.d)[0];
  return best ? ` (did you mean "${best.f}"?)` : '';
}

type Issue = z.core.$ZodIssue;

/** A zod issue as problems: unknown keys one by one, a union by the branch that fits the shape. */
function issueProblems(issue: Issue, base: readonly Segment[]): Found[] {
  const path = [...base, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({
        path: [...path, k],
        message: `unknown field "${k}"${suggestion(k)}`,
      }));
    case 'invalid_union': {
      // The branches that accepted the value's shape (not "expected record, received array").
      const fitting = issue.errors.filter(
        (branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0),
      );
      if (fitting.length === 1) return (fitting[0] ?? []).flatMap((i) => issueProblems(i, path));
      const last = path.at(-1);
      const what =
        last === 'preCheck'
          ? 'a map of checks by name, or a list of checks'
          : 'one of the allowed shapes';
      return [{ path, message: `expected ${what}` }];
    }
    case 'invalid_key':
      return [
        {
          path,
          message: `invalid key: ${issue.issues.map((i) => i.message).join('; ')}`,
        },
      ];
    case 'custom':
    case 'invalid_element':
    case 'invalid_format':
    case 'invalid_type':
    case 'invalid_value':
    case 'not_multiple_of':
    case 'too_big':
    case 'too_small':
      return [{ path, message: issue.message }];
  }
}

export function zodProblems(error: z.ZodError, base: readonly Segment[]): Found[] {
  return error.issues.flatMap((i) => issueProblems(i, base));
}
