/**
 * Reading a fastflow Dag file: its first YAML document, with values as
 * fastflow's YAML decoder read them.
 */
import { isScalar, parseAllDocuments, type Document } from 'yaml';
import { formatPath } from '../api/field-path.ts';
import { isRecord, kindOf, type Note } from './migrate-findings.ts';

/** The first YAML document of a file, with scalars read as fastflow read them. */
export function readBody(
  text: string,
  note: Note,
): { body: Record<string, unknown> } | { problem: string } {
  const docs = parseAllDocuments(text);
  const parsed = Array.isArray(docs) ? docs : [];
  const first = parsed[0];
  if (!first) return { problem: 'the file is empty: fastflow reads one Dag per file' };
  const syntax = parsed.flatMap((d) => d.errors);
  if (syntax[0]) return { problem: `YAML syntax error: ${firstLine(syntax[0].message)}` };
  if (parsed.length > 1) {
    note(
      '',
      `holds ${parsed.length} YAML documents; fastflow read only the first, and so does this`,
    );
  }
  const body: unknown = first.toJS();
  if (!isRecord(body)) {
    return { problem: `expected a mapping (a fastflow Dag), found ${kindOf(body)}` };
  }
  normalizeScalars(first, body, note);
  return { body };
}

/**
 * fastflow decodes with yaml.v3 into Go structs: a number or boolean in a
 * string field is taken as its text (`defaultValue: 3` is "3", `id: 010` is
 * "010"), and an empty value is the zero value. The same values are written
 * here as strings from the source text, and empty optional strings dropped,
 * so the Dag means what it meant in fastflow.
 */
function normalizeScalars(doc: Document, body: Record<string, unknown>, note: Note): void {
  const fix = (obj: Record<string, unknown>, key: string, path: (string | number)[]): void => {
    const v = obj[key];
    if (v === undefined || typeof v === 'string') return;
    if (v === null) {
      delete obj[key];
      return;
    }
    if (typeof v !== 'number' && typeof v !== 'boolean') return;
    const node = doc.getIn(path, true);
    const text = isScalar(node) && typeof node.source === 'string' ? node.source : String(v);
    obj[key] = text;
    note(formatPath(path), `${text} written as the string "${text}", as fastflow read it`);
  };
  const fixList = (list: unknown, path: (string | number)[]): void => {
    if (!Array.isArray(list)) return;
    const items = list as unknown[];
    items.forEach((_, i) =>
      fix(items as unknown as Record<string, unknown>, String(i), [...path, i]),
    );
  };
  for (const k of ['id', 'name', 'desc', 'cron', 'status']) fix(body, k, [k]);
  const vars = body['vars'];
  if (isRecord(vars)) {
    for (const [name, def] of Object.entries(vars)) {
      if (def === null) vars[name] = {};
      const entry = vars[name];
      if (!isRecord(entry)) continue;
      for (const k of ['desc', 'defaultValue']) fix(entry, k, ['vars', name, k]);
    }
  }
  const tasks = body['tasks'];
  if (!Array.isArray(tasks)) return;
  (tasks as unknown[]).forEach((task, i) => {
    if (!isRecord(task)) return;
    for (const k of ['id', 'name', 'actionName']) fix(task, k, ['tasks', i, k]);
    fixList(task['dependOn'], ['tasks', i, 'dependOn']);
    normalizePreCheck(task['preCheck'], ['tasks', i, 'preCheck'], fix, fixList);
  });
}

function normalizePreCheck(
  preCheck: unknown,
  path: (string | number)[],
  fix: (obj: Record<string, unknown>, key: string, path: (string | number)[]) => void,
  fixList: (list: unknown, path: (string | number)[]) => void,
): void {
  const rules: [unknown, (string | number)[]][] = Array.isArray(preCheck)
    ? (preCheck as unknown[]).map((r, j) => [r, [...path, j]])
    : isRecord(preCheck)
      ? Object.entries(preCheck).map(([name, r]) => [r, [...path, name]])
      : [];
  for (const [rule, rulePath] of rules) {
    if (!isRecord(rule)) continue;
    fix(rule, 'act', [...rulePath, 'act']);
    const conditions = rule['conditions'];
    if (!Array.isArray(conditions)) continue;
    (conditions as unknown[]).forEach((c, k) => {
      if (!isRecord(c)) return;
      const cPath = [...rulePath, 'conditions', k];
      for (const key of ['source', 'key', 'op']) fix(c, key, [...cPath, key]);
      fixList(c['values'], [...cPath, 'values']);
    });
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/:$/, '') ?? message;
}
