import type { DagSpec } from '../api/dag.ts';

export type VarsResult =
  { ok: true; vars: Record<string, string> } | { ok: false; message: string };

/**
 * The values an instance runs with: every declared var, the instance's value
 * winning over the default. Unlike fastflow, an empty string is a value, an
 * undeclared var is an error (it was silently dropped), and so is a declared
 * var with neither default nor value.
 */
export function resolveVars(
  declared: DagSpec['vars'],
  given: Record<string, string> | undefined,
): VarsResult {
  const decl = declared ?? {};
  const values = given ?? {};
  const unknown = Object.keys(values).filter((k) => !Object.hasOwn(decl, k));
  if (unknown.length > 0) {
    const known = Object.keys(decl);
    return {
      ok: false,
      message: `spec.vars: ${unknown.map((k) => `"${k}"`).join(', ')} not declared by the Dag (declared: ${known.length ? known.join(', ') : 'none'})`,
    };
  }
  const vars: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, def] of Object.entries(decl)) {
    const value = Object.hasOwn(values, name) ? values[name] : def.defaultValue;
    if (value === undefined) missing.push(name);
    else vars[name] = value;
  }
  if (missing.length > 0) {
    return {
      ok: false,
      message: `spec.vars: ${missing.map((k) => `"${k}"`).join(', ')} must be given: the Dag declares no default`,
    };
  }
  return { ok: true, vars };
}

/**
 * The values an instance was given: its spec's (immutable), overridden by
 * those later rerun operations gave (recorded in its status).
 */
export function givenVars(
  spec: { vars?: Record<string, string> | undefined },
  status: { rerunVars?: Record<string, string> | undefined } | undefined,
): Record<string, string> | undefined {
  if (!status?.rerunVars) return spec.vars;
  return { ...spec.vars, ...status.rerunVars };
}

/**
 * The vars tasks read: the instance's (resolved from what it was given),
 * with the values setVars tasks recorded (status.vars) over them. The one
 * place that order is written: the operator's pass and the worker read it.
 */
export function withSetVars(
  vars: Readonly<Record<string, string>> | undefined,
  status: { vars?: Record<string, string> | undefined } | undefined,
): Record<string, string> {
  return { ...vars, ...status?.vars };
}
