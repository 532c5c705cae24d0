/**
 * Whether params fit an action's JSON Schema, by ajv, in the draft the
 * schema's `$schema` names (zod's z.toJSONSchema writes 2020-12, also the
 * default). Params may hold templates, whose content is not known before the
 * task runs: what ajv says of a template, or of a part only its content
 * decides, is left out (json-schema-errors.ts), and a template is checked by
 * the type it renders to (json-schema-types.ts). Only what would certainly
 * fail at run time is reported; a schema ajv cannot compile is not checked.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { appendPath } from '../api/field-path.ts';
import type { JsonSchema } from '../api/action-schemas.ts';
import { certainErrors, misfitOf, type Template } from './json-schema-errors.ts';
import { describeTypes, isObject, schemaAt, typeFits, typesOf } from './json-schema-types.ts';

/** A value whose type is known but not its content: a template, with what it reads. */
export interface Typed {
  typed: readonly string[];
  /** What it is, e.g. `the var {{n}}`. */
  what: string;
}

export interface Misfit {
  /** Field path, e.g. `spec.tasks[2].params.replicas`. */
  path: string;
  /** What is wrong, e.g. `expected integer, given string "three"`. */
  problem: string;
}

type TypedAt = (path: string, value: unknown) => Typed | undefined;

/**
 * The misfits of `value` against `schema`, each with its field path under
 * `path`; `typedAt` says which values are templates, and of what type.
 */
export function misfits(
  value: unknown,
  schema: JsonSchema,
  path: string,
  typedAt: TypedAt,
): Misfit[] {
  const templates = templatesIn(value, [], path, typedAt);
  const found: Misfit[] = [];
  const validate = validatorOf(schema);
  if (validate !== undefined && !validate(value)) {
    for (const e of certainErrors(validate.errors ?? [], templates))
      found.push(misfitOf(e, value, path));
  }
  for (const t of templates) {
    const part = schemaAt(schema, t.segments);
    const allowed = part && typesOf(part);
    if (allowed === undefined || t.typed.typed.length === 0) continue;
    if (t.typed.typed.some((given) => typeFits(given, allowed))) continue;
    const given = `${t.typed.what} (${describeTypes(t.typed.typed)})`;
    found.push({ path: t.path, problem: `expected ${describeTypes(allowed)}, given ${given}` });
  }
  return found;
}

/** The templates in a value, where they are. */
function templatesIn(value: unknown, segments: string[], path: string, typedAt: TypedAt) {
  const typed = typedAt(path, value);
  if (typed) return [{ segments, path, typed }];
  const found: (Template & { path: string; typed: Typed })[] = [];
  const each: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : isObject(value)
      ? Object.entries(value)
      : [];
  for (const [key, v] of each)
    found.push(...templatesIn(v, [...segments, String(key)], appendPath(path, key), typedAt));
  return found;
}

/** One engine per draft: they compile a schema into a validating function. */
type Engine = Pick<Ajv, 'compile' | 'removeSchema'>;
// allErrors: report every misfit; verbose: the value and schema with each, for the messages.
// Formats are not checked: zod writes its own `pattern` beside a format, which ajv checks;
// another library's idea of a format could refuse what the action accepts.
const OPTIONS = { allErrors: true, verbose: true, strict: false, validateFormats: false };
const DRAFTS: Record<string, () => Engine> = {
  '2020-12': () => new Ajv2020(OPTIONS),
  '2019-09': () => new Ajv2019(OPTIONS),
  'draft-07': () => new Ajv(OPTIONS),
};
const engines = new Map<string, Engine>();
/** Compiled once per schema object: the catalog keeps a worker's schemas while they stand. */
const compiled = new WeakMap<JsonSchema, { validate?: ValidateFunction }>();

function validatorOf(schema: JsonSchema): ValidateFunction | undefined {
  const known = compiled.get(schema);
  if (known !== undefined) return known.validate;
  const declared = schema['$schema'];
  const draft =
    declared === undefined
      ? '2020-12'
      : Object.keys(DRAFTS).find((d) => typeof declared === 'string' && declared.includes(d));
  let validate: ValidateFunction | undefined;
  if (draft !== undefined) {
    let engine = engines.get(draft);
    if (engine === undefined) engines.set(draft, (engine = (DRAFTS[draft] as () => Engine)()));
    try {
      validate = engine.compile(schema);
    } catch {
      // An unknown draft's keywords, a pattern JavaScript cannot compile: not checked.
    }
    // The function stands alone; the engine need not keep the schema (nor grow with each).
    engine.removeSchema(schema);
  }
  compiled.set(schema, validate ? { validate } : {});
  return validate;
}
