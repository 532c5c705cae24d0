/** A field path of a linted document, as segments: `['spec', 'tasks', 1, 'id']`. */
export type Segment = string | number;
/** A problem before it is placed in the file: its path from the document's root. */
export type Found = { path: Segment[]; message: string };

/** `['spec', 'tasks', 1, 'id']` → `spec.tasks[1].id`. */
export function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `spec.tasks[1].params.x` → segments (the inverse of formatPath, for the operator's paths). */
export function parsePath(path: string): Segment[] {
  const segs: Segment[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/g)) {
    if (m[1] !== undefined) segs.push(Number(m[1]));
    else if (m[2] !== undefined) segs.push(JSON.parse(`"${m[2]}"`) as string);
    else if (m[3] !== undefined) segs.push(m[3]);
  }
  return segs;
}
