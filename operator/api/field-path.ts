/**
 * Field paths as users read them, the way kubectl prints them:
 * `spec.tasks[1].dependOn[0]`, `vars["a b"]`. The one formatter of paths in
 * messages (zod issues, lint and migrate findings, template checks).
 */

/** A field path as segments, e.g. `['spec', 'tasks', 1, 'id']`; a zod issue's path fits. */
export type FieldPath = readonly PropertyKey[];

/** A key written after a dot; any other key is quoted in brackets. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `path` with one more segment: `spec.tasks` + 1 → `spec.tasks[1]`, + `id` → `…id`. */
export function appendPath(path: string, segment: PropertyKey): string {
  if (typeof segment === 'number') return `${path}[${segment}]`;
  const key = String(segment);
  if (!PLAIN_KEY.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** `['spec', 'tasks', 1, 'id']` → `spec.tasks[1].id`; the empty path is `''`. */
export function formatPath(path: FieldPath): string {
  return path.reduce<string>(appendPath, '');
}

/** `spec.tasks[1].params.x` → `['spec', 'tasks', 1, 'params', 'x']`: the inverse of `formatPath`. */
export function parsePath(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const m of path.matchAll(/\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/g)) {
    if (m[1] !== undefined) segments.push(Number(m[1]));
    else if (m[2] !== undefined) segments.push(JSON.parse(`"${m[2]}"`) as string);
    else if (m[3] !== undefined) segments.push(m[3]);
  }
  return segments;
}
