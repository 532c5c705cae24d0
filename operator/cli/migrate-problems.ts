/**
 * Problems of a fastflow file, in the fastflow file's terms: one per field
 * path, with a hint when a field name looks like a typo of a known one.
 */
import { z } from 'zod';
import { PreCheckRule, type DagSpec } from '../api/dag.ts';
import { formatPath } from '../api/field-path.ts';
import { buildGraph } from '../core/graph.ts';
import { validateTemplates } from '../core/template-validation.ts';
import { isRecord, type Finding } from './migrate-findings.ts';

/**
 * Why the operator's validation (`validateDag`) refuses a spec, one problem
 * per field path: the graph's (unknown dependencies, cycles...), else the
 * templates' in params.
 */
export function graphProblems(file: string, spec: DagSpec): Finding[] {
  const built = buildGraph(spec.tasks);
  const found = built.ok ? validateTemplates(spec, built.graph) : built.problems;
  const problems = found.map((p) => ({
    file,
    path: p.path.replace(/^spec\.?/, ''),
    message: p.message,
  }));
  return problems.length > 0 ? problems : [{ file, path: '', message: 'invalid Dag' }];
}

/**
 * The graph checks on a spec that does not parse, so that one round trip
 * shows every problem: run when every task has a usable id (a string, or the
 * seed's one-item list), using the dependOn entries that are strings.
 */
export function looseGraphProblems(file: string, tasks: unknown): Finding[] {
  if (!Array.isArray(tasks)) return [];
  const loose: DagSpec['tasks'] = [];
  for (const t of tasks as unknown[]) {
    const raw = isRecord(t) ? t['id'] : undefined;
    const id = Array.isArray(raw) && raw.length === 1 ? (raw[0] as unknown) : raw;
    if (typeof id !== 'string' || !isRecord(t)) return [];
    const deps = Array.isArray(t['dependOn']) ? (t['dependOn'] as unknown[]) : [];
    loose.push({ id, actionName: '-', dependOn: deps.filter((d) => typeof d === 'string') });
  }
  const built = buildGraph(loose);
  return built.ok
    ? []
    : built.problems.map((p) => ({
        file,
        path: p.path.replace(/^spec\.?/, ''),
        message: p.message,
      }));
}

const HINTS: Record<string, string> = {
  action: 'actionName',
  actionname: 'actionName',
  action_name: 'actionName',
  depend: 'dependOn',
  depends: 'dependOn',
  dependson: 'dependOn',
  depends_on: 'dependOn',
  depend_on: 'dependOn',
  dependon: 'dependOn',
  timeout: 'timeoutSecs',
  timeoutsec: 'timeoutSecs',
  timeout_secs: 'timeoutSecs',
  timeoutseconds: 'timeoutSecs',
  param: 'params',
  parameters: 'params',
  precheck: 'preCheck',
  prechecks: 'preCheck',
  pre_check: 'preCheck',
  description: 'desc',
  variables: 'vars',
  default: 'defaultValue',
  defaultvalue: 'defaultValue',
  default_value: 'defaultValue',
  task: 'tasks',
};

function unknownKeyMessage(key: string, path: (string | number)[]): string {
  const hint = HINTS[key.toLowerCase()];
  const inTask = path[0] === 'tasks' && path.length === 3;
  const consequence =
    hint === 'actionName' && inTask ? ': the task failed with "action not found" at run time' : '';
  const fix = hint && hint !== key ? `; did you mean ${hint}?` : '; remove it or fix its name';
  return `unknown field (fastflow ignored it silently${consequence})${fix}`;
}

/** The problems of `value`, which sits at `base` in the file. */
export function zodProblems(
  file: string,
  error: z.ZodError,
  value: unknown,
  base: readonly (string | number)[] = [],
): Finding[] {
  return error.issues.flatMap((issue): Finding[] => {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    const full = [...base, ...path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        file,
        path: formatPath([...full, key]),
        message: unknownKeyMessage(key, [...full, key]),
      }));
    }
    const at = valueAt(value, path);
    if (issue.code === 'invalid_union' && path.at(-1) === 'preCheck') {
      return preCheckProblems(file, full, at);
    }
    return [{ file, path: formatPath(full), message: issueMessage(issue, at) }];
  });
}

function issueMessage(issue: z.core.$ZodIssue, at: unknown): string {
  if (at === undefined && issue.code === 'invalid_type') return 'required, but missing';
  const message = issue.message.replace(/^Invalid input: /, '');
  if (issue.code === 'invalid_type' && Array.isArray(at) && at.length === 1) {
    const only: unknown = at[0];
    if (typeof only === 'string') {
      const key = String(issue.path.at(-1));
      return `${message}: a one-item list; write ${key}: ${JSON.stringify(only)}`;
    }
  }
  return message;
}

/** The preCheck shape that was meant (list or map), checked on its own for a precise path. */
function preCheckProblems(file: string, path: (string | number)[], value: unknown): Finding[] {
  const schema = Array.isArray(value)
    ? z.array(PreCheckRule.extend({ name: z.string().min(1).max(63).optional() })).max(16)
    : z.record(z.string().min(1).max(63), PreCheckRule);
  const r = schema.safeParse(value);
  if (r.success) return [{ file, path: formatPath(path), message: 'invalid preCheck' }];
  return zodProblems(file, r.error, value, path);
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const p of path) {
    if (Array.isArray(v) && typeof p === 'number') v = v[p] as unknown;
    else if (isRecord(v)) v = v[String(p)];
    else return undefined;
  }
  return v;
}
