/**
 * `fastflow migrate`, the pure part: fastflow Dag YAML files (as its
 * `ReadDagFromDir` reads them: one Dag per `.yaml`/`.yml` file, the id from
 * the file name when absent) → `Dag` manifests, with every problem reported
 * per file and field path. No I/O here: the command reads and writes.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { DagSpec } from '../api/dag.ts';
import { API_VERSION, DAG, GROUP } from '../api/names.ts';
import { validateDag } from '../core/validate-dag.ts';
import { kindOf, type Finding } from './migrate-findings.ts';
import { addNotes, withFastflowDefaults } from './migrate-notes.ts';
import { graphProblems, looseGraphProblems, zodProblems } from './migrate-problems.ts';
import { readBody } from './migrate-read.ts';

export type { Finding } from './migrate-findings.ts';

/** Annotation on a migrated Dag: the fastflow file it came from. */
export const MIGRATED_FROM_ANNOTATION = `${GROUP}/migrated-from`;
/** Dag names are label values (snapshots are labelled with them): at most 63 characters. */
export const MAX_DAG_NAME = 63;

export type SourceFile = {
  /** The path as reported (relative to the folder given to `migrate`). */
  path: string;
  text: string;
};

export type DagManifest = {
  apiVersion: typeof API_VERSION;
  kind: typeof DAG.kind;
  metadata: { name: string; namespace?: string; annotations: Record<string, string> };
  spec: DagSpec;
};

export type ConvertedDag = { file: string; id: string; manifest: DagManifest };

export type ConversionResult = {
  dags: ConvertedDag[];
  /** Files that could not be converted, each problem with its field path. */
  problems: Finding[];
  /** What changed on the way (renames, values written as fastflow read them): no action needed. */
  notes: Finding[];
};

export type ConvertOptions = { namespace?: string };

/** One Dag converted from a source file (or only the problems that prevent it), with what changed. */
export type Converted = { dag?: ConvertedDag; problems: Finding[]; notes: Finding[] };
/** A conversion and the field path in its file that the Dag's name comes from. */
export type ConvertedAt = Converted & { namePath: string };

/**
 * Converts every file: `convertFile` gives each Dag a file holds (a Dag with
 * problems is still written; no Dag, only its problems) and the field path its
 * name comes from. Two Dags with the same name are a problem of the second,
 * `nameTaken` saying so (`earlier`: the file of the first).
 */
export function convertFiles(
  files: readonly SourceFile[],
  convertFile: (file: SourceFile) => ConvertedAt[],
  nameTaken: (name: string, earlier: string) => string,
): ConversionResult {
  const result: ConversionResult = { dags: [], problems: [], notes: [] };
  const byName = new Map<string, string>();
  for (const file of files) {
    for (const one of convertFile(file)) {
      result.notes.push(...one.notes);
      result.problems.push(...one.problems);
      if (!one.dag) continue;
      const name = one.dag.manifest.metadata.name;
      const earlier = byName.get(name);
      if (earlier === undefined) {
        byName.set(name, one.dag.file);
        result.dags.push(one.dag);
      } else {
        result.problems.push({
          file: file.path,
          path: one.namePath,
          message: nameTaken(name, earlier),
        });
      }
    }
  }
  return result;
}

/** Converts every fastflow file; a file with a problem yields no Dag (its problems say why). */
export function convertFastflowDags(
  files: readonly SourceFile[],
  opts: ConvertOptions = {},
): ConversionResult {
  return convertFiles(
    files,
    (file) => [{ ...convertFastflowDag(file, opts), namePath: 'id' }],
    (name, earlier) =>
      `Dag name "${name}" is already used by ${earlier}: give one of them another id`,
  );
}

/** One file → one Dag, or the problems that prevent it. */
export function convertFastflowDag(file: SourceFile, opts: ConvertOptions = {}): Converted {
  const notes: Finding[] = [];
  const problem = (path: string, message: string) => ({
    problems: [{ file: file.path, path, message }],
    notes,
  });
  const note = (path: string, message: string): void => {
    notes.push({ file: file.path, path, message });
  };

  const read = readBody(file.text, note);
  if ('problem' in read) return problem('', read.problem);
  const { body } = read;

  // fastflow: an empty id is no id.
  const id = body['id'] === undefined || body['id'] === '' ? baseId(file.path) : body['id'];
  if (typeof id !== 'string' || id === '') {
    return problem('id', `expected a string, found ${kindOf(body['id'])}`);
  }
  const spec = { ...body, id };
  const checked = DagSpec.safeParse(spec);
  if (!checked.success) {
    const problems = zodProblems(file.path, checked.error, spec);
    return { problems: [...problems, ...looseGraphProblems(file.path, body['tasks'])], notes };
  }
  if (!validateDag(checked.data).valid) {
    return { problems: graphProblems(file.path, checked.data), notes };
  }
  const name = dagName(id);
  if (name === undefined) {
    return problem('id', `"${id}" has no letter or digit to make a Kubernetes name from`);
  }
  if (name !== id) {
    note(
      'id',
      `"${id}" is not a valid Kubernetes name: the Dag is named "${name}" (spec.id keeps "${id}")`,
    );
  }
  addNotes(checked.data, notes, file.path);
  return {
    dag: {
      file: file.path,
      id,
      manifest: {
        apiVersion: API_VERSION,
        kind: DAG.kind,
        metadata: {
          name,
          ...(opts.namespace ? { namespace: opts.namespace } : {}),
          annotations: { [MIGRATED_FROM_ANNOTATION]: file.path },
        },
        spec: withFastflowDefaults(checked.data, notes, file.path),
      },
    },
    problems: [],
    notes,
  };
}

/** The manifests as a multi-document YAML stream (`kubectl apply -f` reads it). */
export function toYamlDocuments(dags: readonly ConvertedDag[]): string {
  return dags
    .map((d) => `# from ${d.file}\n${stringify(d.manifest, { lineWidth: 0 })}`)
    .join('---\n');
}

/**
 * A DNS-1123 name for a fastflow id, at most 63 characters: lower case, runs
 * of other characters become `-`, each dot-separated part starts and ends
 * with a letter or digit; a name cut short ends with a hash of the id so
 * that two long ids do not collide. Undefined when nothing usable is left.
 */
export function dagName(id: string): string | undefined {
  const labels = id
    .toLowerCase()
    .split('.')
    .map((l) =>
      l
        .replace(/[^a-z0-9-]+/g, '-')
        .replace(/-{2,}/g, '-')
        .replace(/^-+|-+$/g, ''),
    )
    .filter((l) => l !== '');
  let name = labels.join('.');
  if (name === '') return undefined;
  if (name.length > MAX_DAG_NAME) {
    const hash = createHash('sha256').update(id).digest('hex').slice(0, 8);
    name = `${name.slice(0, MAX_DAG_NAME - 9).replace(/[-.]+$/, '')}-${hash}`;
  }
  return name;
}

/** fastflow's rule: the file name without `.yaml`, then without `.yml`. */
function baseId(path: string): string {
  const base = path.split(/[\\/]/).at(-1) ?? path;
  return base.replace(/\.yaml$/, '').replace(/\.yml$/, '');
}
