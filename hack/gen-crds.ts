// Writes crds/*.yaml (and the Helm chart's copy) from the zod schemas in operator/api (the only source of
// truth). `--check` writes nothing and exits 1 when the committed files differ.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { crdFiles } from '../operator/api/crd/crd-files.ts';

const CRD_DIR = join(import.meta.dirname, '..', 'crds');
const MAX_DIFF_LINES = 40;

/** A short line diff (`-` committed, `+` generated), enough to see what moved. */
export function lineDiff(committed: string, generated: string): string[] {
  const a = committed.split('\n');
  const b = generated.split('\n');
  // Longest common subsequence table, from the end; the files are a few hundred lines.
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] =
        a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(`${i + 1}: - ${a[i]}`);
      i++;
    } else {
      out.push(`${j + 1}: + ${b[j]}`);
      j++;
    }
  }
  return out;
}

function check(): number {
  let stale = 0;
  for (const file of crdFiles()) {
    const path = join(CRD_DIR, file.name);
    const committed = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (committed === file.content) continue;
    stale++;
    if (committed === undefined) {
      console.error(`crds/${file.name}: missing`);
      continue;
    }
    const diff = lineDiff(committed, file.content);
    console.error(`--- crds/${file.name} (committed)\n+++ crds/${file.name} (generated)`);
    for (const line of diff.slice(0, MAX_DIFF_LINES)) console.error(line);
    if (diff.length > MAX_DIFF_LINES) console.error(`… ${diff.length - MAX_DIFF_LINES} more`);
  }
  if (stale > 0) console.error('crds/ is out of date with operator/api: run `npm run gen:crds`');
  return stale > 0 ? 1 : 0;
}

/** The Helm chart ships the same files (see charts/fastflow/templates/crds/crds.yaml). */
const CHART_CRD_DIR = join(import.meta.dirname, '..', 'charts', 'fastflow', 'files', 'crds');

function write(): number {
  for (const dir of [CRD_DIR, CHART_CRD_DIR]) {
    mkdirSync(dir, { recursive: true });
    for (const file of crdFiles()) {
      writeFileSync(join(dir, file.name), file.content);
      console.log(`wrote ${relative(join(import.meta.dirname, '..'), join(dir, file.name))}`);
    }
  }
  return 0;
}

if (import.meta.main) {
  process.exitCode = process.argv.includes('--check') ? check() : write();
}
