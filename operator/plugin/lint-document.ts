import { z } from 'zod';
import { ObjectName } from '../api/common.ts';
import { DagSpec, Params, TaskId, VarDef, VarName } from '../api/dag.ts';
import { parsePath } from '../api/field-path.ts';
import { API_VERSION, DAG } from '../api/names.ts';
import { buildGraph } from '../core/graph.ts';
import { validateTemplates } from '../core/template-validation.ts';
import { dagProblems, validateDag } from '../core/validate-dag.ts';
import type { Found, Segment } from './lint-paths.ts';
import { zodProblems } from './lint-zod.ts';

/** The CRD's limit on vars (a structural-schema maxProperties zod does not check). */
export const MAX_VARS = 128;

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
    const found = built.ok ? dagProblems(typed, built.graph) : built.problems;
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

export type DocumentCheck =
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
