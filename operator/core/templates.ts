const VAR_REFERENCE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/**
 * fastflow's first template pass: `{{name}}` in any string of the params
 * (maps and lists walked recursively) becomes the var's value. A reference to
 * an undeclared name stays as written.
 */
export function renderVars(value: unknown, vars: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') {
    return value.replace(VAR_REFERENCE, (whole, name: string) =>
      Object.hasOwn(vars, name) ? (vars[name] as string) : whole,
    );
  }
  if (Array.isArray(value)) return value.map((v) => renderVars(v, vars));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderVars(v, vars)]));
  }
  return value;
}
