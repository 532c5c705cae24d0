import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, type CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeClients } from '../../operator/kube/client.ts';

/** A new folder holding `files` (path → text): the input of `fastflow migrate`. */
export function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fastflow-migrate-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** What a command printed, and the io that captures it. */
export function captured() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) },
  };
}

/** Clients for `--apply` whose API is `custom` (a fake), in a context whose namespace is `namespace`. */
export function applyClients(custom: Partial<CustomObjectsApi>, namespace: string): KubeClients {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u', namespace }],
    currentContext: 'x',
  });
  return { kc, custom: custom as CustomObjectsApi } as KubeClients;
}
