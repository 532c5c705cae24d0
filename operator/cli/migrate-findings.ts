/**
 * What `fastflow migrate` says about a fastflow file (problems and notes),
 * and the small helpers to say it in the file's own terms.
 */

/**
 * Something about a file: `path` is the field in the source file (empty:
 * the whole file); `dag`, when the file makes Dags, the one it concerns.
 */
export type Finding = { file: string; path: string; message: string; dag?: string };

/** Records a note about the file being converted, at a field path. */
export type Note = (path: string, message: string) => void;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
