/** What `kubectl fastflow simulate` reads: the Dag from a file, and its flags. */
import { parseAllDocuments } from 'yaml';
import { DagSpec } from '../api/dag.ts';
import { baseIdOf, parseGrownKey } from '../core/grown-graph.ts';
import type { SimulatedResults } from '../core/simulate.ts';
import { UsageError } from './errors.ts';
import { checkDocument } from './lint-document.ts';

export type SimulateFlags = {
  var?: string[];
  vars?: string[];
  fail?: string[];
  output?: string[];
  reject?: string[];
  dag?: string;
};

/** How the result is printed: `-o json`, else the table. */
export type SimulateFormat = 'table' | 'json';

/**
 * The Dags of a file that lint passed: manifests of kind Dag and bare
 * fastflow bodies, with their names (a bare body has none).
 */
export function dagsOf(text: string): { name: string | undefined; spec: DagSpec }[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (Array.isArray(doc) || doc.contents === null) return [];
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    const check = checkDocument(value);
    if (check.kind !== 'dag') return [];
    const body = isManifest(value) ? specOf(value) : value;
    return [{ name: check.name, spec: DagSpec.parse(body) }];
  });
}

const isManifest = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && ['apiVersion', 'kind', 'spec'].some((k) => k in v);
const specOf = (v: unknown): unknown => (v as { spec?: unknown }).spec;

/** The one Dag to simulate: the only one in the file, or the one `--dag` names. */
export function pickDag(
  dags: readonly { name: string | undefined; spec: DagSpec }[],
  wanted: string | undefined,
): { name: string | undefined; spec: DagSpec } {
  const names = dags.map((d) => d.name ?? '(unnamed)').join(', ');
  if (wanted !== undefined) {
    const found = dags.find((d) => d.name === wanted);
    if (!found)
      throw new UsageError(`--dag ${wanted}: the file holds no such Dag (Dags: ${names})`);
    return found;
  }
  const [only, ...more] = dags;
  if (only === undefined) throw new UsageError('the file holds no Dag');
  if (more.length > 0) {
    throw new UsageError(`the file holds ${dags.length} Dags (${names}): pick one with --dag NAME`);
  }
  return only;
}

/**
 * `--fail TASK` (every attempt fails) or `--fail TASK:N` (its first N),
 * `--output TASK=JSON`, `--reject TASK`, each naming a task of the Dag,
 * or one copy (`fan[2]`) or iteration (`step#3`) of one (the Dag task's
 * id names every copy or iteration);
 * `-o json` is `--output json` (a format has no `=`).
 */
export function resultsOf(
  flags: SimulateFlags,
  spec: DagSpec,
): { results: SimulatedResults; format: SimulateFormat } {
  const ids = spec.tasks.map((t) => t.id);
  const known = (flag: string, id: string): string => {
    const grown = parseGrownKey(id);
    const task = spec.tasks.find((t) => t.id === (grown?.base ?? id));
    if (task === undefined) {
      const list = ids.slice(0, 20).join(', ') + (ids.length > 20 ? ', …' : '');
      throw new UsageError(`${flag}: the Dag has no task "${id}" (tasks: ${list})`);
    }
    // A grown key names one copy (`fan[2]`) or one iteration (`step#3`) of what grows.
    if (grown && 'copy' in grown && task.forEach === undefined) {
      throw new UsageError(`${flag}: task "${task.id}" has no forEach: it makes no copies`);
    }
    if (grown && 'iteration' in grown && !spec.tasks.some((t) => t.loop?.body.includes(task.id))) {
      throw new UsageError(
        `${flag}: task "${task.id}" is not in a loop's body: it runs no iterations`,
      );
    }
    return id;
  };
  const { outputs, format } = outputsOf(flags.output ?? [], known);
  return {
    results: {
      fail: failuresOf(flags.fail ?? [], known),
      outputs,
      reject: rejectsOf(flags.reject ?? [], spec, known),
    },
    format,
  };
}

type Known = (flag: string, id: string) => string;

function failuresOf(flags: readonly string[], known: Known): Map<string, number> {
  const fail = new Map<string, number>();
  for (const f of flags) {
    const m = /^(.+?)(?::(\d+))?$/.exec(f);
    const n = m?.[2] === undefined ? Infinity : Number(m[2]);
    if (!m || n < 1) throw new UsageError(`--fail ${f}: expected TASK or TASK:N (N ≥ 1)`);
    fail.set(known(`--fail ${f}`, m[1] ?? ''), n);
  }
  return fail;
}

function outputsOf(
  flags: readonly string[],
  known: Known,
): { outputs: Map<string, unknown>; format: SimulateFormat } {
  const outputs = new Map<string, unknown>();
  let format: SimulateFormat = 'table';
  for (const o of flags) {
    const eq = o.indexOf('=');
    if (eq < 0) {
      if (o !== 'json' && o !== 'table') {
        throw new UsageError(`--output ${o}: expected json, table, or TASK=JSON (a mocked output)`);
      }
      format = o;
      continue;
    }
    const id = known(`--output ${o}`, o.slice(0, eq));
    try {
      outputs.set(id, JSON.parse(o.slice(eq + 1)) as unknown);
    } catch {
      throw new UsageError(
        `--output ${o}: the value after "=" is not JSON (quote a string: TASK='"text"')`,
      );
    }
  }
  return { outputs, format };
}

function rejectsOf(flags: readonly string[], spec: DagSpec, known: Known): Set<string> {
  const reject = new Set<string>();
  for (const r of flags) {
    const id = known(`--reject ${r}`, r);
    if (spec.tasks.find((t) => t.id === baseIdOf(id))?.type !== 'approval') {
      throw new UsageError(`--reject ${r}: task "${r}" is not an approval task`);
    }
    reject.add(id);
  }
  return reject;
}
