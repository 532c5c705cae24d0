/**
 * `fastflow migrate`, the pure part: fastflow Dag YAML files (as its
 * `ReadDagFromDir` reads them: one Dag per `.yaml`/`.yml` file, the id from
 * the file name when absent) → `Dag` manifests, with every problem reported
 * per file and field path. No I/O here: the command reads and writes.
 */
import { createHash } from 'node:crypto';
import { isScalar, parseAllDocuments, stringify, type Document } from 'yaml';
import { z } from 'zod';
import { PreCheckRule, DagSpec } from '../api/dag.ts';
import { API_VERSION, DAG, GROUP } from '../api/names.ts';
import { buildGraph } from '../core/graph.ts';
import { validateTemplates } from '../core/template-validation.ts';
import { validateDag } from '../core/validate-dag.ts';

/** Annotation on a migrated Dag: the fastflow file it came from. */
export const MIGRATED_FROM_ANNOTATION = `${GROUP}/migrated-from`;
/** Dag names are label values (snapshots are labelled with them): at most 63 characters. */
export const MAX_DAG_NAME = 63;

export type SourceFile = {
  /** The path as reported (relative to the folder given to `migrate`). */
  path: string;
  text: string;
};

export type DagManifest = {
  apiVersion: typeof API_VERSION;
  kind: typeof DAG.kind;
  metadata: { name: string; namespace?: string; annotations: Record<string, string> };
  spec: DagSpec;
};

/** Something about a file: `path` is the field in the fastflow file (empty: the whole file). */
export type Finding = { file: string; path: string; message: string };

export type ConvertedDag = { file: string; id: string; manifest: DagManifest };

export type ConversionResult = {
  dags: ConvertedDag[];
  /** Files that could not be converted, each problem with its field path. */
  problems: Finding[];
  /** What changed on the way (renames, values written as fastflow read them): no action needed. */
  notes: Finding[];
};

export type ConvertOptions = { namespace?: string };

/**
 * Converts every file; a file with a problem yields no Dag (its problems say
 * why), the others are converted. Two files that would make the same Dag
 * name are a problem of the second.
 */
export function convertFastflowDags(
  files: readonly SourceFile[],
  opts: ConvertOptions = {},
): ConversionResult {
  const result: ConversionResult = { dags: [], problems: [], notes: [] };
  const byName = new Map<string, string>();
  for (const file of files) {
    const one = convertFastflowDag(file, opts);
    result.notes.push(...one.notes);
    if (!one.dag) {
      result.problems.push(...one.problems);
      continue;
    }
    const name = one.dag.manifest.metadata.name;
    const taken = byName.get(name);
    if (taken !== undefined) {
      result.problems.push({
        file: file.path,
        path: 'id',
        message: `Dag name "${name}" is already used by ${taken}: give one of them another id`,
      });
      continue;
    }
    byName.set(name, file.path);
    result.dags.push(one.dag);
  }
  return result;
}

/** One file → one Dag, or the problems that prevent it. */
export function convertFastflowDag(
  file: SourceFile,
  opts: ConvertOptions = {},
): { dag?: ConvertedDag; problems: Finding[]; notes: Finding[] } {
  const notes: Finding[] = [];
  const problem = (path: string, message: string) => ({
    problems: [{ file: file.path, path, message }],
    notes,
  });
  const note = (path: string, message: string): void => {
    notes.push({ file: file.path, path, message });
  };

  const read = readBody(file.text, note);
  if ('problem' in read) return problem('', read.problem);
  const { body } = read;

  // fastflow: an empty id is no id.
  const id = body['id'] === undefined || body['id'] === '' ? baseId(file.path) : body['id'];
  if (typeof id !== 'string' || id === '') {
    return problem('id', `expected a string, found ${kindOf(body['id'])}`);
  }
  const spec = { ...body, id };
  const checked = DagSpec.safeParse(spec);
  if (!checked.success) {
    const problems = zodProblems(file.path, checked.error, spec);
    return { problems: [...problems, ...looseGraphProblems(file.path, body['tasks'])], notes };
  }
  if (!validateDag(checked.data).valid) {
    return { problems: graphProblems(file.path, checked.data), notes };
  }
  const name = dagName(id);
  if (name === undefined) {
    return problem('id', `"${id}" has no letter or digit to make a Kubernetes name from`);
  }
  if (name !== id) {
    note(
      'id',
      `"${id}" is not a valid Kubernetes name: the Dag is named "${name}" (spec.id keeps "${id}")`,
    );
  }
  addNotes(checked.data, notes, file.path);
  return {
    dag: {
      file: file.path,
      id,
      manifest: {
        apiVersion: API_VERSION,
        kind: DAG.kind,
        metadata: {
          name,
          ...(opts.namespace ? { namespace: opts.namespace } : {}),
          annotations: { [MIGRATED_FROM_ANNOTATION]: file.path },
        },
        spec: withFastflowDefaults(checked.data, notes, file.path),
      },
    },
    problems: [],
    notes,
  };
}

/**
 * Why the operator's validation (`validateDag`) refuses a spec, one problem
 * per field path: the graph's (unknown dependencies, cycles...), else the
 * templates' in params.
 */
function graphProblems(file: string, spec: DagSpec): Finding[] {
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
function looseGraphProblems(file: string, tasks: unknown): Finding[] {
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

/** The first YAML document of a file, with scalars read as fastflow read them. */
function readBody(
  text: string,
  note: Note,
): { body: Record<string, unknown> } | { problem: string } {
  const docs = parseAllDocuments(text);
  const parsed = Array.isArray(docs) ? docs : [];
  const first = parsed[0];
  if (!first) return { problem: 'the file is empty: fastflow reads one Dag per file' };
  const syntax = parsed.flatMap((d) => d.errors);
  if (syntax[0]) return { problem: `YAML syntax error: ${firstLine(syntax[0].message)}` };
  if (parsed.length > 1) {
    note(
      '',
      `holds ${parsed.length} YAML documents; fastflow read only the first, and so does this`,
    );
  }
  const body: unknown = first.toJS();
  if (!isRecord(body)) {
    return { problem: `expected a mapping (a fastflow Dag), found ${kindOf(body)}` };
  }
  normalizeScalars(first, body, note);
  return { body };
}

/** The manifests as a multi-document YAML stream (`kubectl apply -f` reads it). */
export function toYamlDocuments(dags: readonly ConvertedDag[]): string {
  return dags
    .map((d) => `# from ${d.file}\n${stringify(d.manifest, { lineWidth: 0 })}`)
    .join('---\n');
}

/**
 * A DNS-1123 name for a fastflow id, at most 63 characters: lower case, runs
 * of other characters become `-`, each dot-separated part starts and ends
 * with a letter or digit; a name cut short ends with a hash of the id so
 * that two long ids do not collide. Undefined when nothing usable is left.
 */
export function dagName(id: string): string | undefined {
  const labels = id
    .toLowerCase()
    .split('.')
    .map((l) =>
      l
        .replace(/[^a-z0-9-]+/g, '-')
        .replace(/-{2,}/g, '-')
        .replace(/^-+|-+$/g, ''),
    )
    .filter((l) => l !== '');
  let name = labels.join('.');
  if (name === '') return undefined;
  if (name.length > MAX_DAG_NAME) {
    const hash = createHash('sha256').update(id).digest('hex').slice(0, 8);
    name = `${name.slice(0, MAX_DAG_NAME - 9).replace(/[-.]+$/, '')}-${hash}`;
  }
  return name;
}

/** fastflow's rule: the file name without `.yaml`, then without `.yml`. */
function baseId(path: string): string {
  const base = path.split(/[\\/]/).at(-1) ?? path;
  return base.replace(/\.yaml$/, '').replace(/\.yml$/, '');
}

// --- values as fastflow's YAML decoder read them -------------------------------------------

type Note = (path: string, message: string) => void;

/**
 * fastflow decodes with yaml.v3 into Go structs: a number or boolean in a
 * string field is taken as its text (`defaultValue: 3` is "3", `id: 010` is
 * "010"), and an empty value is the zero value. The same values are written
 * here as strings from the source text, and empty optional strings dropped,
 * so the Dag means what it meant in fastflow.
 */
function normalizeScalars(doc: Document, body: Record<string, unknown>, note: Note): void {
  const fix = (obj: Record<string, unknown>, key: string, path: (string | number)[]): void => {
    const v = obj[key];
    if (v === undefined || typeof v === 'string') return;
    if (v === null) {
      delete obj[key];
      return;
    }
    if (typeof v !== 'number' && typeof v !== 'boolean') return;
    const node = doc.getIn(path, true);
    const text = isScalar(node) && typeof node.source === 'string' ? node.source : String(v);
    obj[key] = text;
    note(formatPath(path), `${text} written as the string "${text}", as fastflow read it`);
  };
  const fixList = (list: unknown, path: (string | number)[]): void => {
    if (!Array.isArray(list)) return;
    const items = list as unknown[];
    items.forEach((_, i) =>
      fix(items as unknown as Record<string, unknown>, String(i), [...path, i]),
    );
  };
  for (const k of ['id', 'name', 'desc', 'cron', 'status']) fix(body, k, [k]);
  const vars = body['vars'];
  if (isRecord(vars)) {
    for (const [name, def] of Object.entries(vars)) {
      if (def === null) vars[name] = {};
      const entry = vars[name];
      if (!isRecord(entry)) continue;
      for (const k of ['desc', 'defaultValue']) fix(entry, k, ['vars', name, k]);
    }
  }
  const tasks = body['tasks'];
  if (!Array.isArray(tasks)) return;
  (tasks as unknown[]).forEach((task, i) => {
    if (!isRecord(task)) return;
    for (const k of ['id', 'name', 'actionName']) fix(task, k, ['tasks', i, k]);
    fixList(task['dependOn'], ['tasks', i, 'dependOn']);
    normalizePreCheck(task['preCheck'], ['tasks', i, 'preCheck'], fix, fixList);
  });
}

function normalizePreCheck(
  preCheck: unknown,
  path: (string | number)[],
  fix: (obj: Record<string, unknown>, key: string, path: (string | number)[]) => void,
  fixList: (list: unknown, path: (string | number)[]) => void,
): void {
  const rules: [unknown, (string | number)[]][] = Array.isArray(preCheck)
    ? (preCheck as unknown[]).map((r, j) => [r, [...path, j]])
    : isRecord(preCheck)
      ? Object.entries(preCheck).map(([name, r]) => [r, [...path, name]])
      : [];
  for (const [rule, rulePath] of rules) {
    if (!isRecord(rule)) continue;
    fix(rule, 'act', [...rulePath, 'act']);
    const conditions = rule['conditions'];
    if (!Array.isArray(conditions)) continue;
    (conditions as unknown[]).forEach((c, k) => {
      if (!isRecord(c)) return;
      const cPath = [...rulePath, 'conditions', k];
      for (const key of ['source', 'key', 'op']) fix(c, key, [...cPath, key]);
      fixList(c['values'], [...cPath, 'values']);
    });
  }
}

/**
 * Behaviour fastflow had that the schema does not default the same way: a
 * declared var without a default was the empty string (here it must be given
 * when the instance is created), so `defaultValue: ""` is written.
 */
function withFastflowDefaults(spec: DagSpec, notes: Finding[], file: string): DagSpec {
  if (!spec.vars) return spec;
  const vars = Object.fromEntries(
    Object.entries(spec.vars).map(([name, def]) => {
      if (def.defaultValue !== undefined) return [name, def];
      notes.push({
        file,
        path: formatPath(['vars', name]),
        message:
          'no defaultValue: fastflow used "" when none was given; written as defaultValue: ""',
      });
      return [name, { ...def, defaultValue: '' }];
    }),
  );
  return { ...spec, vars };
}

function addNotes(spec: DagSpec, notes: Finding[], file: string): void {
  if (spec.cron) {
    notes.push({
      file,
      path: 'cron',
      message:
        'kept, but nothing schedules it (fastflow ignored it too): create instances yourself',
    });
  }
  const unlimited = spec.tasks.filter((t) => !t.timeoutSecs).map((t) => t.id);
  if (unlimited.length > 0) {
    const shown = unlimited.slice(0, 5).join(', ') + (unlimited.length > 5 ? ', ...' : '');
    notes.push({
      file,
      path: 'tasks',
      message:
        `no timeoutSecs on ${shown}: fastflow stopped such a task after its executor default ` +
        '(30 s); here it has no time limit. Add timeoutSecs: 30 to keep the old limit',
    });
  }
  spec.tasks.forEach((t, i) => {
    if (Array.isArray(t.preCheck)) {
      notes.push({
        file,
        path: `tasks[${i}].preCheck`,
        message:
          'a list of checks: fastflow could not load this shape (it wants a map keyed by check name); fastflow.io accepts both',
      });
    }
  });
}

// --- problems, in the fastflow file's terms -------------------------------------------------

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

function zodProblems(file: string, error: z.ZodError, value: unknown): Finding[] {
  return error.issues.flatMap((issue): Finding[] => {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        file,
        path: formatPath([...path, key]),
        message: unknownKeyMessage(key, [...path, key]),
      }));
    }
    const at = valueAt(value, path);
    if (issue.code === 'invalid_union' && path.at(-1) === 'preCheck') {
      return preCheckProblems(file, path, at);
    }
    return [{ file, path: formatPath(path), message: issueMessage(issue, at) }];
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
  return zodProblems(file, r.error, value).map((f) => ({
    ...f,
    path: formatPath(path) + (f.path.startsWith('[') || f.path === '' ? f.path : `.${f.path}`),
  }));
}

/** `tasks[1].dependOn[0]`, `vars["a b"].desc`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
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

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/:$/, '') ?? message;
}
