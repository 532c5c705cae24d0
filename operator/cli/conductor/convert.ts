/**
 * `fastflow migrate --from conductor`, the pure part: Conductor workflow
 * definitions (JSON as Conductor's API and UI export them: one definition
 * or a list per file) → Dag manifests. A workflow whose tasks do not all
 * convert still becomes a Dag (each such task an action task of its name),
 * with a problem per task; a Dag that would not validate is not written.
 */
import { DagSpec } from '../../api/dag.ts';
import { formatPath } from '../../api/field-path.ts';
import { API_VERSION, DAG } from '../../api/names.ts';
import { validateDag } from '../../core/validate-dag.ts';
import { isRecord, kindOf, type Finding } from '../migrate-findings.ts';
import {
  convertFiles,
  dagName,
  MIGRATED_FROM_ANNOTATION,
  type ConversionResult,
  type Converted,
  type ConvertedAt,
  type ConvertOptions,
  type SourceFile,
} from '../migrate-convert.ts';
import { graphProblems, zodProblems } from '../migrate-problems.ts';
import { Conversion, type Path, type VarDef } from './context.ts';
import { convertList } from './sequence.ts';

export function convertConductorFiles(
  files: readonly SourceFile[],
  opts: ConvertOptions = {},
): ConversionResult {
  return convertFiles(
    files,
    (file) => workflowsOf(file, opts),
    (name, earlier) => `Dag name "${name}" is already used by the workflow in ${earlier}`,
  );
}

/** A file's workflow definitions (one, or a list), each converted. */
function workflowsOf(file: SourceFile, opts: ConvertOptions): ConvertedAt[] {
  const problem = (message: string) => [
    { problems: [{ file: file.path, path: '', message }], notes: [], namePath: '' },
  ];
  let body: unknown;
  try {
    body = JSON.parse(file.text);
  } catch (e) {
    return problem(`not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const defs: [unknown, Path][] = Array.isArray(body) ? body.map((d, i) => [d, [i]]) : [[body, []]];
  if (defs.length === 0) return problem('an empty list: no workflow to convert');
  return defs.map(([def, base]) => ({
    ...convertWorkflow(def, base, file.path, opts),
    namePath: formatPath([...base, 'name']),
  }));
}

/** One workflow definition → one Dag (with problems for what did not convert), or only problems. */
export function convertWorkflow(
  def: unknown,
  base: Path,
  file: string,
  opts: ConvertOptions = {},
): Converted {
  const at = (path: Path): string => formatPath([...base, ...path]);
  const refused = (path: Path, message: string): Converted => ({
    problems: [{ file, path: at(path), message }],
    notes: [],
  });
  if (!isRecord(def)) return refused([], `expected a workflow definition, found ${kindOf(def)}`);
  const wfName = def['name'];
  const name = typeof wfName === 'string' ? dagName(wfName) : undefined;
  if (typeof wfName !== 'string' || name === undefined) {
    return refused(
      ['name'],
      'a workflow needs a name with a letter or digit (the Dag is named after it)',
    );
  }
  const conv = new Conversion(base);
  if (name !== wfName) {
    conv.note(['name'], `"${wfName}" is not a valid Kubernetes name: the Dag is "${name}"`);
  }
  const spec = specOf(def, wfName, conv);
  const said = (s: { path: string; message: string }): Finding => ({ ...s, file, dag: name });
  const problems = conv.problems.map(({ path, message }) => said({ path, message }));
  const notes = conv.notes.map(said);
  const checked = checkDag(spec, file, name);
  if (!checked.ok) return { problems: [...problems, ...checked.problems], notes };
  const from = base.length > 0 ? `${file}${at([])}` : file;
  return {
    dag: {
      file,
      id: name,
      manifest: {
        apiVersion: API_VERSION,
        kind: DAG.kind,
        metadata: {
          name,
          ...(opts.namespace ? { namespace: opts.namespace } : {}),
          annotations: { [MIGRATED_FROM_ANNOTATION]: from },
        },
        spec: checked.spec,
      },
    },
    problems,
    notes,
  };
}

/** The Dag spec of a workflow: its tasks, its vars, what runs on failure. */
function specOf(
  def: Record<string, unknown>,
  wfName: string,
  conv: Conversion,
): Record<string, unknown> {
  if (!Array.isArray(def['tasks']) || def['tasks'].length === 0) {
    conv.problem(['tasks'], 'a workflow needs tasks');
  }
  conv.collectRefs(def['tasks'], ['tasks']);
  convertList(def['tasks'], ['tasks'], [], conv);
  workflowNotes(def, conv);
  const desc = def['description'];
  const spec: Record<string, unknown> = {
    name: wfName,
    ...(typeof desc === 'string' ? { desc: desc.slice(0, 4096) } : {}),
    ...varsOf(def, conv),
    tasks: conv.tasks,
  };
  const failure = def['failureWorkflow'];
  if (typeof failure === 'string' && failure !== '') {
    // spec.onFailure is the shape of operator/api/grown-tasks.ts (OnFailureSpec).
    if ('onFailure' in DagSpec.shape && !failure.includes('${')) {
      spec['onFailure'] = { dagName: dagName(failure) };
    } else {
      conv.problem(
        ['failureWorkflow'],
        `failureWorkflow "${failure}" does not convert: the Dag to run on failure must be fixed`,
      );
    }
  }
  return spec;
}

/** The spec checked as the operator checks a Dag: a converted Dag that would not validate is not written. */
function checkDag(
  spec: Record<string, unknown>,
  file: string,
  name: string,
): { ok: true; spec: DagSpec } | { ok: false; problems: Finding[] } {
  const checked = DagSpec.safeParse(spec);
  const invalid = !checked.success
    ? zodProblems(file, checked.error, spec, ['spec'])
    : validateDag(checked.data).valid
      ? []
      : graphProblems(file, checked.data).map((p) => ({ ...p, path: `spec.${p.path}` }));
  if (checked.success && invalid.length === 0) return { ok: true, spec: checked.data };
  return {
    ok: false,
    problems: invalid.map((p) => ({
      ...p,
      message: `the converted Dag ${name}: ${p.message}`,
      dag: name,
    })),
  };
}

/**
 * The workflow's inputs (its inputParameters, defaults from inputTemplate)
 * and variables (initial values from `variables`), then every other var a
 * reference reads. Vars are strings: a list or map is its JSON text.
 */
function varsOf(def: Record<string, unknown>, conv: Conversion): { vars?: Record<string, VarDef> } {
  const vars = new Map<string, VarDef>();
  const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  const template = isRecord(def['inputTemplate']) ? def['inputTemplate'] : {};
  const inputs = Array.isArray(def['inputParameters']) ? (def['inputParameters'] as unknown[]) : [];
  for (const input of inputs) {
    if (typeof input !== 'string') continue;
    vars.set(input, Object.hasOwn(template, input) ? { defaultValue: text(template[input]) } : {});
  }
  const variables = isRecord(def['variables']) ? def['variables'] : {};
  for (const [name, value] of Object.entries(variables)) {
    if (vars.has(name))
      conv.note(['variables', name], `input and variable "${name}" are one var in the Dag`);
    vars.set(name, { defaultValue: text(value) });
  }
  for (const [name, v] of conv.vars) if (!vars.has(name)) vars.set(name, v);
  const required = [...vars].filter(([, v]) => v.defaultValue === undefined).map(([n]) => n);
  if (required.length > 0) {
    conv.note(
      ['inputParameters'],
      `inputs without a default in inputTemplate (${required.join(', ')}): Conductor ran with null; here a run must give them (or add defaultValue)`,
    );
  }
  return vars.size > 0 ? { vars: Object.fromEntries(vars) } : {};
}

function workflowNotes(def: Record<string, unknown>, conv: Conversion): void {
  if (def['outputParameters'] !== undefined) {
    conv.note(
      ['outputParameters'],
      "no equivalent: an instance's output is set by a terminate task; read task outputs in status.tasks",
    );
  }
  if (typeof def['timeoutSeconds'] === 'number' && def['timeoutSeconds'] > 0) {
    conv.note(['timeoutSeconds'], 'no workflow timeout here: give tasks timeoutSecs');
  }
  conv.note(
    [],
    "retries: Conductor's come from each task's TaskDef (registered apart, 3 by default); add retry: to the tasks that need them",
  );
}
