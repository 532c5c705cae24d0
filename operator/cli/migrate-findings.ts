/**
 * What `fastflow migrate` says about a fastflow file (problems and notes),
 * and the small helpers to say it in the file's own terms.
 */

/** Something about a file: `path` is the field in the fastflow file (empty: the whole file). */
export type Finding = { file: string; path: string; message: string };

/** Records a note about the file being converted, at a field path. */
export type Note = (path: string, message: string) => void;

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

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
