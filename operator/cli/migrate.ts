/**
 * `fastflow migrate <dir>`: reads a folder of fastflow Dag YAML files the way
 * fastflow's `ReadDagFromDir` did (every `.yaml`/`.yml` file under it, one
 * Dag per file), prints `Dag` manifests (or writes them to `--out`), or with
 * `--apply` creates or updates them in the cluster (server-side apply). What
 * could not be converted is reported on stderr per file and field path, and
 * the exit code is 1 when anything failed.
 *
 * `fastflow migrate --from conductor FILE.json…` does the same with
 * Conductor workflow definitions (conductor/): a Dag some of whose tasks did
 * not convert is written, for you to finish, but not applied.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ObjectName } from '../api/common.ts';
import { loadKubeConfig, makeClients, type KubeClients } from '../kube/client.ts';
import { kubeCall } from '../kube/errors.ts';
import { dagResource } from '../api/names.ts';
import {
  convertFastflowDags,
  toYamlDocuments,
  type ConvertedDag,
  type Finding,
  type SourceFile,
} from './migrate-convert.ts';
import { convertConductorFiles } from './conductor/convert.ts';
import { readConductorFiles } from './conductor/read.ts';
import { filesUnder } from './files-under.ts';

/** What the files are: fastflow (Go) Dag YAML (a folder) or Conductor workflow JSON (files or folders). */
export const MIGRATE_SOURCES = ['fastflow', 'conductor'] as const;

export type MigrateOptions = {
  from?: (typeof MIGRATE_SOURCES)[number];
  namespace?: string;
  apply?: boolean;
  out?: string;
  kubeconfig?: string;
};

export type MigrateIO = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** For --apply; default: from --kubeconfig / $KUBECONFIG / in-cluster. */
  clients?: KubeClients;
};

/** Field manager of the server-side apply: `kubectl get dag -o yaml --show-managed-fields`. */
export const MIGRATE_FIELD_MANAGER = 'fastflow-migrate';

/** Runs the command; resolves with the exit code (0 ok, 1 something failed, 2 bad usage). */
export async function runMigrate(
  paths: string | readonly string[],
  opts: MigrateOptions,
  io: MigrateIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  },
): Promise<number> {
  const conductor = opts.from === 'conductor';
  const input = await readInput(typeof paths === 'string' ? [paths] : paths, opts, io);
  if (typeof input === 'number') return input;
  const { files } = input;

  const target = opts.apply ? applyTarget(opts, io) : undefined;
  const namespace = target?.namespace ?? opts.namespace;
  const convert = conductor ? convertConductorFiles : convertFastflowDags;
  const result = convert(files, namespace ? { namespace } : {});
  const failedFiles = new Set(result.problems.map((p) => p.file)).size;
  report(io, files, result.dags, result.problems, result.notes);

  await writeManifests(result.dags, opts, io);
  // A Dag written with problems (tasks that did not convert) is for you to finish first.
  const written = new Set(result.dags.map((d) => d.manifest.metadata.name));
  const unfinished = new Set(
    result.problems.flatMap((p) => (p.dag !== undefined && written.has(p.dag) ? [p.dag] : [])),
  );
  const ready = result.dags.filter((d) => !unfinished.has(d.manifest.metadata.name));
  const refused = target ? await applyAll(target, ready, io) : 0;
  const counts = {
    files: files.length,
    dags: result.dags.length,
    failedFiles,
    unfinished: unfinished.size,
  };
  io.stderr(
    conductor
      ? conductorSummary(counts, target?.namespace, ready.length - refused, refused)
      : summary(files.length, result.dags.length, failedFiles, target?.namespace, refused),
  );
  return failedFiles > 0 || refused > 0 ? 1 : 0;
}

/** To --out, else to stdout unless applying. */
async function writeManifests(
  dags: readonly ConvertedDag[],
  opts: MigrateOptions,
  io: MigrateIO,
): Promise<void> {
  const yaml = toYamlDocuments(dags);
  if (opts.out) await writeFile(opts.out, yaml);
  else if (!opts.apply && yaml !== '') io.stdout(yaml);
}

/** Applies each Dag; resolves with how many the API server refused. */
async function applyAll(
  target: { clients: KubeClients; namespace: string },
  dags: readonly ConvertedDag[],
  io: MigrateIO,
): Promise<number> {
  let refused = 0;
  for (const dag of dags) {
    if (!(await applyDag(target.clients, target.namespace, dag, io))) refused++;
  }
  return refused;
}

function summary(
  files: number,
  converted: number,
  failed: number,
  appliedTo: string | undefined,
  refused: number,
): string {
  const parts = [`${converted} of ${files} files converted`];
  if (failed > 0) parts.push(`${failed} failed`);
  if (appliedTo !== undefined) parts.push(`${converted - refused} applied to "${appliedTo}"`);
  if (refused > 0) parts.push(`${refused} refused by the API server`);
  return `fastflow migrate: ${parts.join(', ')}\n`;
}

function conductorSummary(
  n: { files: number; dags: number; failedFiles: number; unfinished: number },
  appliedTo: string | undefined,
  applied: number,
  refused: number,
): string {
  const parts = [
    `${n.dags} Dag${n.dags === 1 ? '' : 's'} from ${n.files} file${n.files === 1 ? '' : 's'}`,
  ];
  if (n.unfinished > 0) parts.push(`${n.unfinished} with tasks to finish (not applied)`);
  if (n.failedFiles > 0)
    parts.push(`problems in ${n.failedFiles} file${n.failedFiles === 1 ? '' : 's'}`);
  if (appliedTo !== undefined) parts.push(`${applied} applied to "${appliedTo}"`);
  if (refused > 0) parts.push(`${refused} refused by the API server`);
  return `fastflow migrate: ${parts.join(', ')}\n`;
}

/** The files, or the exit code when there is nothing to convert. */
async function readInput(
  paths: readonly string[],
  opts: MigrateOptions,
  io: MigrateIO,
): Promise<{ files: SourceFile[] } | number> {
  const conductor = opts.from === 'conductor';
  const [dir] = paths;
  if (dir === undefined || (!conductor && paths.length > 1)) {
    io.stderr(
      `fastflow migrate: give ${conductor ? 'Conductor JSON files or folders' : 'one folder of fastflow Dag files'}\n`,
    );
    return 2;
  }
  if (opts.namespace !== undefined && !ObjectName.safeParse(opts.namespace).success) {
    io.stderr(
      `fastflow migrate: --namespace ${JSON.stringify(opts.namespace)} is not a valid name\n`,
    );
    return 2;
  }
  let files: SourceFile[];
  try {
    files = conductor ? await readConductorFiles(paths) : await readDagFiles(dir);
  } catch (e) {
    io.stderr(
      `fastflow migrate: cannot read ${paths.join(', ')}: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return 2;
  }
  if (files.length === 0) {
    io.stderr(
      `fastflow migrate: no ${conductor ? '.json' : '.yaml or .yml'} file under ${paths.join(', ')}\n`,
    );
    return 1;
  }
  return { files };
}

/** The cluster and namespace of --apply: --namespace, else the kubeconfig context's, else default. */
function applyTarget(
  opts: MigrateOptions,
  io: MigrateIO,
): { clients: KubeClients; namespace: string } {
  const clients =
    io.clients ??
    makeClients(loadKubeConfig({ kubeconfig: opts.kubeconfig }), { userAgent: 'fastflow-migrate' });
  const kc = clients.kc;
  const namespace =
    opts.namespace || kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
  return { clients, namespace };
}

/** Every `.yaml`/`.yml` file under `dir`, in lexical order. */
export async function readDagFiles(dir: string): Promise<SourceFile[]> {
  const paths = await filesUnder(dir, (name) => /\.ya?ml$/.test(name));
  return Promise.all(
    paths.map(async (p) => ({
      path: relative(dir, p).split(sep).join('/'),
      text: await readFile(p, 'utf8'),
    })),
  );
}

function report(
  io: MigrateIO,
  files: readonly SourceFile[],
  dags: readonly ConvertedDag[],
  problems: readonly Finding[],
  notes: readonly Finding[],
): void {
  const at = (f: Finding): string => (f.path ? `${f.file}: ${f.path}: ` : `${f.file}: `);
  const plural = (n: number): string => `${n} problem${n === 1 ? '' : 's'}`;
  for (const file of files) {
    const made = dags.filter((d) => d.file === file.path);
    const mine = problems.filter((p) => p.file === file.path);
    for (const dag of made) {
      const name = dag.manifest.metadata.name;
      const unfinished = mine.filter((p) => p.dag === name).length;
      if (unfinished === 0) io.stderr(`ok      ${file.path} -> Dag ${name}\n`);
      else
        io.stderr(
          `PARTIAL ${file.path} -> Dag ${name}: ${plural(unfinished)} to fix before applying\n`,
        );
    }
    if (made.length === 0)
      io.stderr(`FAILED  ${file.path}: not converted (${plural(mine.length)})\n`);
    for (const p of mine) io.stderr(`  error ${at(p)}${p.message}\n`);
    for (const n of notes.filter((x) => x.file === file.path))
      io.stderr(`  note  ${at(n)}${n.message}\n`);
  }
}

/** Server-side apply: creates the Dag or updates the fields this command owns. */
async function applyDag(
  clients: KubeClients,
  namespace: string,
  dag: ConvertedDag,
  io: MigrateIO,
): Promise<boolean> {
  const name = dag.manifest.metadata.name;
  try {
    await kubeCall(() =>
      clients.custom.patchNamespacedCustomObject(
        {
          ...dagResource,
          namespace,
          name,
          body: { ...dag.manifest, metadata: { ...dag.manifest.metadata, namespace } },
          fieldManager: MIGRATE_FIELD_MANAGER,
          force: true,
        },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    );
    io.stderr(`applied Dag ${namespace}/${name} (from ${dag.file})\n`);
    return true;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    io.stderr(`FAILED  ${dag.file}: applying Dag ${namespace}/${name}: ${message}\n`);
    return false;
  }
}
