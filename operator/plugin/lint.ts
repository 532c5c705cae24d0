/**
 * `kubectl fastflow lint FILE`: the checks a Dag meets before it runs, offline.
 * A document is a Dag manifest (apiVersion/kind/metadata/spec) or a bare
 * fastflow Dag body (what fastflow's YAML files hold). Checked, all at once:
 * the zod DagSpec (strict, like `kubectl apply`'s strict field validation:
 * an unknown field is a problem), what the CRD adds (at most 128 vars), the
 * metadata, then the operator's validateDag (duplicate ids, unknown
 * dependencies, cycles, templates). Each problem names its field path and,
 * from the YAML, its line and column.
 */
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import type { Paint } from './color.ts';
import { clusterFindings, type Advertised } from './lint-cluster.ts';
import { checkDocument } from './lint-document.ts';
import { formatPath } from '../api/field-path.ts';
import type { Segment } from './lint-paths.ts';

export { checkDocument, MAX_VARS } from './lint-document.ts';

export type LintProblem = {
  /** Field path, e.g. `spec.tasks[1].dependOn[0]` (without `spec.` in a bare body). */
  path: string;
  message: string;
  /** 1-based position in the file, when the path could be found in the YAML. */
  line?: number;
  col?: number;
  /** 1-based document number, when the file holds several. */
  document?: number;
};

export type LintResult = {
  problems: LintProblem[];
  /** Documents that were not checked (other kinds), and other remarks. */
  notes: string[];
  /** Dags found and checked. */
  dags: { name: string | undefined; tasks: number }[];
};

/** What all of an object's annotations may hold (Kubernetes' limit), kubectl's last-applied copy included. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** The position of the deepest node of `path` found in the document (a map entry: its key). */
function locate(doc: Document, path: readonly Segment[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as YamlNode | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      offset = (pair.key as YamlNode).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

/** Lints the text of a file: every YAML document in it (with `advertised`: its params too). */
export function lintText(text: string, advertised?: Advertised): LintResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  const nonEmpty = list.filter((d) => d.contents !== null || d.errors.length > 0);
  const several = nonEmpty.length > 1;
  const result: LintResult = { problems: [], notes: [], dags: [] };
  const at = (offset: number | undefined): { line?: number; col?: number } =>
    offset === undefined ? {} : lineCounter.linePos(offset);
  nonEmpty.forEach((doc, i) => {
    const document = several ? { document: i + 1 } : {};
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        result.problems.push({
          path: '',
          message: `YAML: ${e.message.split('\n')[0] ?? ''}`,
          ...at(e.pos[0]),
          ...document,
        });
      }
      return;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    const check = checkDocument(value);
    const where = several ? `document ${i + 1}: ` : '';
    if (check.kind === 'skipped') {
      result.notes.push(`${where}${check.note}`);
      return;
    }
    const bytes = Buffer.byteLength(JSON.stringify(value));
    if (bytes > ANNOTATIONS_MAX_BYTES) {
      result.notes.push(
        `${where}${Math.ceil(bytes / 1024)} KiB: client-side \`kubectl apply\` cannot keep its ` +
          'last-applied copy (annotations hold 256 KiB): use `kubectl apply --server-side` or `kubectl create`',
      );
    }
    result.dags.push({ name: check.name, tasks: check.tasks });
    if (advertised) {
      const cluster = clusterFindings(value, advertised);
      check.found.push(...cluster.found);
      result.notes.push(...cluster.notes.map((n) => `${where}${n}`));
    }
    for (const f of check.found) {
      result.problems.push({
        path: formatPath(f.path),
        message: f.message,
        ...at(locate(doc, f.path)),
        ...document,
      });
    }
  });
  // In file order; problems found without a position keep their place at the end.
  const key = (p: LintProblem): number[] => [p.document ?? 0, p.line ?? Infinity, p.col ?? 0];
  result.problems.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return (x[0] ?? 0) - (y[0] ?? 0) || (x[1] ?? 0) - (y[1] ?? 0) || (x[2] ?? 0) - (y[2] ?? 0);
  });
  if (result.dags.length === 0 && result.problems.length === 0) {
    result.problems.push({ path: '', message: 'no Dag in this file' });
  }
  return result;
}

/** The report: one line per problem (`file:line:col: path: message`), then a summary. */
export function formatLint(file: string, r: LintResult, paint: Paint): string[] {
  const lines = r.problems.map((p) => {
    const where = p.line !== undefined ? `${file}:${p.line}:${p.col ?? 1}` : file;
    const doc = p.document !== undefined ? ` (document ${p.document})` : '';
    const path = p.path ? `${paint('bold', p.path)}: ` : '';
    return `${where}${doc}: ${path}${p.message}`;
  });
  for (const n of r.notes) lines.push(paint('dim', `${file}: note: ${n}`));
  const n = r.problems.length;
  if (n > 0) {
    lines.push(paint('red', `${file}: ${n} problem${n === 1 ? '' : 's'}`));
  } else {
    const dags = r.dags.map(
      (d) =>
        `Dag ${d.name ? `"${d.name}"` : '(bare fastflow body)'} with ${d.tasks} task${d.tasks === 1 ? '' : 's'}`,
    );
    lines.push(paint('green', `${file}: ok: ${dags.join(', ')}`));
  }
  return lines;
}
