/**
 * `kubectl fastflow lint FILE`: the checks a Dag meets before it runs, offline.
 * A document is a Dag manifest (apiVersion/kind/metadata/spec) or a bare
 * fastflow Dag body (what fastflow's YAML files hold). Checked, all at once:
 * the zod DagSpec (strict, like `kubectl apply`'s strict field validation:
 * an unknown field is a problem), what the CRD adds (at most 128 vars), the
 * metadata, then the operator's validateDag (duplicate ids, unknown
 * dependencies, cycles, templates). Each problem names its field path and,
 * from the YAML, its line and column.
 */
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import { z } from 'zod';
import { ObjectName } from '../api/common.ts';
import {
  DagSpec,
  Params,
  PreCheckCondition,
  PreCheckRule,
  RetryPolicy,
  TaskId,
  TaskSpec,
  VarDef,
  VarName,
} from '../api/dag.ts';
import { API_VERSION, DAG } from '../api/names.ts';
import { buildGraph } from '../core/graph.ts';
import { validateTemplates } from '../core/template-validation.ts';
import { validateDag } from '../core/validate-dag.ts';
import type { Paint } from './color.ts';

/** The CRD's limit on vars (a structural-schema maxProperties zod does not check). */
export const MAX_VARS = 128;

export type LintProblem = {
  /** Field path, e.g. `spec.tasks[1].dependOn[0]` (without `spec.` in a bare body). */
  path: string;
  message: string;
  /** 1-based position in the file, when the path could be found in the YAML. */
  line?: number;
  col?: number;
  /** 1-based document number, when the file holds several. */
  document?: number;
};

export type LintResult = {
  problems: LintProblem[];
  /** Documents that were not checked (other kinds), and other remarks. */
  notes: string[];
  /** Dags found and checked. */
  dags: { name: string | undefined; tasks: number }[];
};

type Segment = string | number;
type Found = { path: Segment[]; message: string };

// ---------------------------------------------------------------------------
// Paths

/** `['spec', 'tasks', 1, 'id']` → `spec.tasks[1].id`. */
export function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `spec.tasks[1].params.x` → segments (the inverse of formatPath, for the operator's paths). */
export function parsePath(path: string): Segment[] {
  const segs: Segment[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/g)) {
    if (m[1] !== undefined) segs.push(Number(m[1]));
    else if (m[2] !== undefined) segs.push(JSON.parse(`"${m[2]}"`) as string);
    else if (m[3] !== undefined) segs.push(m[3]);
  }
  return segs;
}

// ---------------------------------------------------------------------------
// zod issues as problems

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

function zodProblems(error: z.ZodError, base: readonly Segment[]): Found[] {
  return error.issues.flatMap((i) => issueProblems(i, base));
}

// ---------------------------------------------------------------------------
// The checks of one document

const MANIFEST_KEYS = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
const METADATA_KEYS = new Set([
  'name',
  'generateName',
  'namespace',
  'labels',
  'annotations',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'ownerReferences',
  'finalizers',
  'managedFields',
  'selfLink',
]);
const StringMap = z.record(z.string(), z.string());

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function metadataProblems(metadata: unknown): Found[] {
  if (!isObject(metadata))
    return [{ path: ['metadata'], message: 'required: an object with the name of the Dag' }];
  const found: Found[] = [];
  for (const k of Object.keys(metadata)) {
    if (!METADATA_KEYS.has(k))
      found.push({ path: ['metadata', k], message: `unknown field "${k}"` });
  }
  const { name, namespace, generateName, labels, annotations } = metadata;
  if (name === undefined && generateName === undefined) {
    found.push({ path: ['metadata', 'name'], message: 'required: the name of the Dag' });
  }
  for (const [field, value] of [
    ['name', name],
    ['namespace', namespace],
  ] as const) {
    if (value === undefined) continue;
    const r = ObjectName.safeParse(value);
    if (!r.success) found.push(...zodProblems(r.error, ['metadata', field]));
  }
  for (const [field, value] of [
    ['labels', labels],
    ['annotations', annotations],
  ] as const) {
    if (value === undefined) continue;
    const r = StringMap.safeParse(value);
    if (!r.success) found.push(...zodProblems(r.error, ['metadata', field]));
  }
  return found;
}

/** Enough of a spec for the graph checks when the strict schema fails elsewhere. */
const GraphShape = z.object({
  tasks: z.array(
    z.object({ id: TaskId, dependOn: z.array(TaskId).optional(), params: Params.optional() }),
  ),
});
const VarsShape = z.object({ vars: z.record(VarName, VarDef).optional() });

/**
 * The operator's checks (validateDag), each problem with its path. When the
 * schema failed, the graph checks still run if every task has a valid id and
 * dependOn, and the template checks if the vars are valid too.
 */
function operatorProblems(spec: unknown, schemaOk: boolean): Found[] {
  const toFound = (p: { path: string; message: string }): Found => ({
    path: parsePath(p.path),
    message: p.message,
  });
  if (schemaOk) {
    const typed = spec as DagSpec;
    const v = validateDag(typed);
    if (v.valid) return [];
    const built = buildGraph(typed.tasks);
    const found = built.ok ? validateTemplates(typed, built.graph) : built.problems;
    // validateDag is the authority: should it find what these do not, say what it says.
    return found.length > 0 ? found.map(toFound) : [{ path: ['spec'], message: v.message }];
  }
  const shape = GraphShape.safeParse(spec);
  if (!shape.success) return [];
  const tasks = shape.data.tasks.map((t) => ({ ...t, actionName: '-' }));
  const built = buildGraph(tasks);
  if (!built.ok) return built.problems.map(toFound);
  const vars = VarsShape.safeParse(spec);
  if (!vars.success) return [];
  return validateTemplates({ ...vars.data, tasks }, built.graph).map(toFound);
}

type DocumentCheck =
  | { kind: 'dag'; name: string | undefined; tasks: number; found: Found[] }
  | { kind: 'skipped'; note: string };

/** The problems of one parsed document; paths are from the document's root. */
export function checkDocument(value: unknown): DocumentCheck {
  if (!isObject(value)) {
    return {
      kind: 'dag',
      name: undefined,
      tasks: 0,
      found: [
        {
          path: [],
          message:
            'expected a Dag manifest (apiVersion, kind, metadata, spec) or a fastflow Dag (tasks, vars, …)',
        },
      ],
    };
  }
  const manifest = ['apiVersion', 'kind', 'metadata', 'spec'].some((k) => k in value);
  if (!manifest) return checkSpec(value, [], undefined, []);
  const { apiVersion, kind } = value;
  if (kind !== undefined && kind !== DAG.kind) {
    return { kind: 'skipped', note: `kind ${JSON.stringify(kind)} is not a Dag: not checked` };
  }
  const found: Found[] = [];
  if (kind === undefined) found.push({ path: ['kind'], message: `required: ${DAG.kind}` });
  if (apiVersion !== API_VERSION) {
    const got = apiVersion === undefined ? 'missing' : `got ${JSON.stringify(apiVersion)}`;
    found.push({ path: ['apiVersion'], message: `must be ${API_VERSION} (${got})` });
  }
  for (const k of Object.keys(value)) {
    if (!MANIFEST_KEYS.has(k)) found.push({ path: [k], message: `unknown field "${k}"` });
  }
  found.push(...metadataProblems(value['metadata']));
  const meta = value['metadata'];
  const name = isObject(meta) && typeof meta['name'] === 'string' ? meta['name'] : undefined;
  if (value['spec'] === undefined) {
    found.push({ path: ['spec'], message: 'required: the Dag (tasks, vars, …)' });
    return { kind: 'dag', name, tasks: 0, found };
  }
  return checkSpec(value['spec'], ['spec'], name, found);
}

function checkSpec(
  spec: unknown,
  base: readonly Segment[],
  name: string | undefined,
  found: Found[],
): DocumentCheck {
  const parsed = DagSpec.safeParse(spec);
  if (!parsed.success) found.push(...zodProblems(parsed.error, base));
  const vars = isObject(spec) && isObject(spec['vars']) ? Object.keys(spec['vars']).length : 0;
  if (vars > MAX_VARS) {
    found.push({ path: [...base, 'vars'], message: `at most ${MAX_VARS} vars (found ${vars})` });
  }
  // The operator's paths start with `spec.`: a bare body has no such level.
  const fromOperator = operatorProblems(spec, parsed.success).map((f) => ({
    ...f,
    path: [...base, ...(f.path[0] === 'spec' ? f.path.slice(1) : f.path)],
  }));
  found.push(...fromOperator);
  const tasks = isObject(spec) && Array.isArray(spec['tasks']) ? spec['tasks'].length : 0;
  return { kind: 'dag', name, tasks, found };
}

// ---------------------------------------------------------------------------
// Files

/** The position of the deepest node of `path` found in the document (a map entry: its key). */
function locate(doc: Document, path: readonly Segment[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as YamlNode | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      offset = (pair.key as YamlNode).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

/** Lints the text of a file: every YAML document in it. */
export function lintText(text: string): LintResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  const nonEmpty = list.filter((d) => d.contents !== null || d.errors.length > 0);
  const several = nonEmpty.length > 1;
  const result: LintResult = { problems: [], notes: [], dags: [] };
  const at = (offset: number | undefined): { line?: number; col?: number } =>
    offset === undefined ? {} : lineCounter.linePos(offset);
  nonEmpty.forEach((doc, i) => {
    const document = several ? { document: i + 1 } : {};
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        result.problems.push({
          path: '',
          message: `YAML: ${e.message.split('\n')[0] ?? ''}`,
          ...at(e.pos[0]),
          ...document,
        });
      }
      return;
    }
    const check = checkDocument(doc.toJS({ maxAliasCount: 100 }));
    if (check.kind === 'skipped') {
      result.notes.push(`${several ? `document ${i + 1}: ` : ''}${check.note}`);
      return;
    }
    result.dags.push({ name: check.name, tasks: check.tasks });
    for (const f of check.found) {
      result.problems.push({
        path: formatPath(f.path),
        message: f.message,
        ...at(locate(doc, f.path)),
        ...document,
      });
    }
  });
  // In file order; problems found without a position keep their place at the end.
  const key = (p: LintProblem): number[] => [p.document ?? 0, p.line ?? Infinity, p.col ?? 0];
  result.problems.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return (x[0] ?? 0) - (y[0] ?? 0) || (x[1] ?? 0) - (y[1] ?? 0) || (x[2] ?? 0) - (y[2] ?? 0);
  });
  if (result.dags.length === 0 && result.problems.length === 0) {
    result.problems.push({ path: '', message: 'no Dag in this file' });
  }
  return result;
}

/** The report: one line per problem (`file:line:col: path: message`), then a summary. */
export function formatLint(file: string, r: LintResult, paint: Paint): string[] {
  const lines = r.problems.map((p) => {
    const where = p.line !== undefined ? `${file}:${p.line}:${p.col ?? 1}` : file;
    const doc = p.document !== undefined ? ` (document ${p.document})` : '';
    const path = p.path ? `${paint('bold', p.path)}: ` : '';
    return `${where}${doc}: ${path}${p.message}`;
  });
  for (const n of r.notes) lines.push(paint('dim', `${file}: note: ${n}`));
  const n = r.problems.length;
  if (n > 0) {
    lines.push(paint('red', `${file}: ${n} problem${n === 1 ? '' : 's'}`));
  } else {
    const dags = r.dags.map(
      (d) =>
        `Dag ${d.name ? `"${d.name}"` : '(bare fastflow body)'} with ${d.tasks} task${d.tasks === 1 ? '' : 's'}`,
    );
    lines.push(paint('green', `${file}: ok: ${dags.join(', ')}`));
  }
  return lines;
}
