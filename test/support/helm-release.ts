/**
 * One release of the chart (charts/fastflow) per test file: the helm binary,
 * the cluster's version, a release namespace that enforces the "restricted"
 * Pod Security Standard and a second namespace, and the cleanup of all of it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createTestNamespace, deleteTestNamespace, kubectl } from './cluster.ts';
import { findHelm, type RenderOptions } from './helm.ts';
import { ok } from './kube-requests.ts';

export interface HelmRelease {
  readonly release: string;
  /** The prefix of the release's object names. */
  readonly fullname: string;
  /** A directory for files the test writes (kubeconfigs, logs); removed afterwards. */
  readonly scratch: string;
  readonly helm: string;
  readonly kubeVersion: string;
  /** Release namespace: the Leases live here; enforces the restricted Pod Security Standard. */
  readonly ns: string;
  /** Stands for the watched namespace of ci files that set one, and holds seeded objects. */
  readonly otherNs: string;
  /** Render options for this release, with `o` on top. */
  opts(o?: Partial<RenderOptions>): RenderOptions;
}

/** A rendered object read in assertions: expect() checks its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

async function serverVersion(): Promise<string> {
  const out = await ok(kubectl(['version', '-o', 'json']), 'kubectl version');
  const git = (JSON.parse(out) as { serverVersion: { gitVersion: string } }).serverVersion
    .gitVersion;
  const m = /^v?(\d+\.\d+\.\d+)/.exec(git);
  if (!m?.[1]) throw new Error(`cannot read the server version from ${git}`);
  return m[1];
}

/**
 * A release for the calling test file, set up in its beforeAll and removed in
 * its afterAll; its fields other than the names are read inside tests and hooks.
 */
export function useHelmRelease(): HelmRelease {
  const release = `ff-${randomBytes(3).toString('hex')}`;
  // Filled in by beforeAll; callers see it read-only.
  const r = {
    release,
    fullname: `${release}-fastflow`,
    scratch: mkdtempSync(join(tmpdir(), 'fastflow-helm-')),
    helm: '',
    kubeVersion: '',
    ns: '',
    otherNs: '',
    opts: (o: Partial<RenderOptions> = {}): RenderOptions => ({
      release,
      namespace: r.ns,
      kubeVersion: r.kubeVersion,
      ...o,
    }),
  };

  beforeAll(async () => {
    [r.helm, r.kubeVersion, r.ns, r.otherNs] = await Promise.all([
      findHelm(),
      serverVersion(),
      createTestNamespace('helm'),
      createTestNamespace('helm-other'),
    ]);
    await ok(
      // enforce: Pods are refused; warn: Deployments that would make such Pods are flagged.
      kubectl([
        'label',
        'namespace',
        r.ns,
        'pod-security.kubernetes.io/enforce=restricted',
        'pod-security.kubernetes.io/warn=restricted',
      ]),
      'label namespace',
    );
  });

  afterAll(async () => {
    // Cluster-scoped objects are not removed with the namespaces.
    await kubectl([
      'delete',
      'clusterrole,clusterrolebinding,validatingadmissionpolicy,validatingadmissionpolicybinding',
      '-l',
      `app.kubernetes.io/instance=${release}`,
      '--ignore-not-found',
    ]);
    const namespaces = [r.ns, r.otherNs].filter(Boolean);
    await Promise.all(namespaces.map((n) => deleteTestNamespace(n)));
    rmSync(r.scratch, { recursive: true, force: true });
  });

  return r;
}
