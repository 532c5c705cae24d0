/**
 * helm for the chart tests: which binary, how to run it, how to read what it
 * renders.
 */
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { runCommand, type KubectlResult } from '../local-cluster/kubectl.ts';

export const chartDir = fileURLToPath(new URL('../../charts/fastflow/', import.meta.url));
const binariesScript = fileURLToPath(new URL('../../hack/k8s-binaries.sh', import.meta.url));

export type RunResult = KubectlResult;
export const run = runCommand;

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The helm binary: `$FASTFLOW_HELM`; else the one `hack/k8s-binaries.sh
 * --with-helm` builds (once, from the Go module proxy) next to kubectl; else
 * `helm` on PATH (e.g. with KUBEBUILDER_ASSETS, whose directory has no helm).
 */
export async function findHelm(): Promise<string> {
  const given = process.env['FASTFLOW_HELM'];
  if (given) return given;
  const built = await run('bash', [binariesScript, '--with-helm']);
  const dir = built.stdout.trim().split('\n').pop() ?? '';
  if (built.code === 0 && dir !== '' && (await executable(join(dir, 'helm')))) {
    return join(dir, 'helm');
  }
  for (const d of (process.env['PATH'] ?? '').split(delimiter)) {
    if (d !== '' && (await executable(join(d, 'helm')))) return join(d, 'helm');
  }
  throw new Error(
    `no helm: set FASTFLOW_HELM, or let hack/k8s-binaries.sh --with-helm build it (needs Go):\n` +
      built.stderr,
  );
}

export interface RenderOptions {
  release: string;
  namespace: string;
  /** The cluster's version: the chart requires >= 1.30, and helm built from source assumes 1.20. */
  kubeVersion: string;
  /** Values files, in order. */
  files?: readonly string[];
  /** Values given inline, after the files (as one more values file, on stdin). */
  values?: string;
  /** `--set` assignments, last. */
  set?: readonly string[];
  /** Render only these templates (paths under the chart, e.g. templates/workers/rbac.yaml). */
  only?: readonly string[];
}

/** `helm template` with these options; the result, successful or not. */
export function template(helm: string, o: RenderOptions): Promise<RunResult> {
  const args = [
    'template',
    o.release,
    chartDir,
    '--namespace',
    o.namespace,
    '--kube-version',
    o.kubeVersion,
  ];
  for (const f of o.files ?? []) args.push('--values', f);
  if (o.values !== undefined) args.push('--values', '-');
  for (const s of o.set ?? []) args.push('--set', s);
  for (const t of o.only ?? []) args.push('--show-only', t);
  return run(helm, args, o.values ?? '');
}

/** `helm template` that must succeed: the manifests as text. */
export async function render(helm: string, o: RenderOptions): Promise<string> {
  const r = await template(helm, o);
  if (r.code !== 0) throw new Error(`helm template failed (exit ${r.code}):\n${r.stderr}`);
  return r.stdout;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** The objects of a multi-document YAML stream (empty documents dropped). */
export function manifests(yaml: string): Manifest[] {
  return parseAllDocuments(yaml)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null && typeof m === 'object');
}
