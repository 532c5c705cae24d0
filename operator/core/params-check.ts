/**
 * Typed edges: a Dag's params checked against the schemas its actions'
 * workers advertise (api/action-schemas.ts), before anything runs. Literal
 * params must fit the params schema; a template takes the type of what it
 * reads (a var or share data is a string; `{{tasks.X.output.path}}` whole is
 * the type X's action declares at that path; text around a template makes a
 * string). Only what would certainly fail is reported; what is not known (an
 * action no worker advertises, an output with no declared schema) is not.
 */
import type { ActionSchemaSet } from '../api/action-schemas.ts';
import type { DagSpec } from '../api/dag.ts';
import { formatPath } from '../api/field-path.ts';
import { taskTypeOf } from '../api/task-types.ts';
import { misfits, type Typed } from './json-schema-fit.ts';
import { schemaAt, typesOf } from './json-schema-types.ts';
import { parseTemplate } from './template-parse.ts';

export interface ParamsProblem {
  task: string;
  /** Field path, e.g. `spec.tasks[2].params.replicas`. */
  path: string;
  message: string;
}

export interface ParamsCheck {
  problems: ParamsProblem[];
  /** Actions that tasks name and no advertised schema set has: not checked (a warning). */
  unknownActions: string[];
}

export function checkParams(spec: DagSpec, schemas: ActionSchemaSet): ParamsCheck {
  const actionOf = new Map(spec.tasks.map((t) => [t.id, t.actionName]));
  const problems: ParamsProblem[] = [];
  const unknown = new Set<string>();
  spec.tasks.forEach((task, i) => {
    const action = task.actionName;
    if (taskTypeOf(task) !== 'action' || action === undefined) return;
    const schema = Object.hasOwn(schemas, action) ? schemas[action] : undefined;
    if (schema === undefined) return void unknown.add(action);
    if (schema.params === undefined) return;
    const root = formatPath(['spec', 'tasks', i, 'params']);
    const typedAt = (_path: string, value: unknown): Typed | undefined =>
      typeof value === 'string' && value.includes('{{')
        ? typeOfTemplate(value, (id) => outputSchemaOf(schemas, actionOf.get(id)))
        : undefined;
    for (const m of misfits(task.params ?? {}, schema.params, root, typedAt)) {
      problems.push({
        task: task.id,
        path: m.path,
        message: `task "${task.id}" (action ${action}): ${m.path}: ${m.problem}`,
      });
    }
  });
  return { problems, unknownActions: [...unknown].sort() };
}

function outputSchemaOf(schemas: ActionSchemaSet, action: string | undefined) {
  return action !== undefined && Object.hasOwn(schemas, action)
    ? schemas[action]?.output
    : undefined;
}

/** What a string with templates renders to: a whole reference keeps its type, text is a string. */
function typeOfTemplate(
  text: string,
  outputSchema: (task: string) => ReturnType<typeof outputSchemaOf>,
): Typed {
  const parsed = parseTemplate(text);
  // A malformed template is the Dag validation's to report.
  if (!parsed.ok) return { typed: [], what: text };
  const [only] = parsed.parts;
  if (!parsed.single || parsed.parts.length !== 1 || typeof only !== 'object') {
    return { typed: ['string'], what: `the text ${JSON.stringify(text)}` };
  }
  if (only.kind === 'var') return { typed: ['string'], what: `the var ${only.text}` };
  if (only.kind === 'shareData') return { typed: ['string'], what: `the share data ${only.text}` };
  const schema = outputSchema(only.task);
  const part = schema && schemaAt(schema, only.path);
  return { typed: (part && typesOf(part)) ?? [], what: `the output ${only.text}` };
}

/** The condition's message: the problems (the first few), then the actions not checked. */
export function describeParamsCheck(check: ParamsCheck, max = 10): string {
  const lines = check.problems.slice(0, max).map((p) => p.message);
  if (check.problems.length > max) lines.push(`… and ${check.problems.length - max} more`);
  if (check.unknownActions.length > 0) {
    lines.push(
      `not checked: no live worker advertises ${check.unknownActions.map((a) => `"${a}"`).join(', ')} (its worker may start later)`,
    );
  }
  return lines.join('; ') || "every task's params fit its action's schema";
}

/**
 * The schemas of every live worker as one set. Workers of two versions that
 * advertise an action differently (a rolling upgrade) leave it out: which
 * one will run a task is not known, so it is not checked.
 */
export function mergeAdvertised(sets: readonly ActionSchemaSet[]): ActionSchemaSet {
  const merged: ActionSchemaSet = {};
  const conflicting = new Set<string>();
  for (const set of sets) {
    for (const [action, schema] of Object.entries(set)) {
      const seen = merged[action];
      if (seen !== undefined && JSON.stringify(seen) !== JSON.stringify(schema)) {
        conflicting.add(action);
      }
      merged[action] = schema;
    }
  }
  for (const action of conflicting) delete merged[action];
  return merged;
}
