/**
 * The files that give access to a local control plane, all mode 0600 in its
 * temp dir: the service-account signing key, the static token file (token
 * auth) and the kubeconfigs. kube-apiserver makes its own self-signed serving
 * certificate (`--cert-dir`).
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify as toYaml } from 'yaml';

export type Tokens = { admin: string; worker: string };

function token(): string {
  return randomBytes(24).toString('hex');
}

/** A fresh RSA key as `<dir>/sa.key`, to sign and verify service-account tokens; returns its path. */
export async function writeServiceAccountKey(dir: string): Promise<string> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const keyPath = join(dir, 'sa.key');
  await writeFile(keyPath, privateKey, { mode: 0o600 });
  return keyPath;
}

/**
 * Fresh tokens in `<dir>/tokens.csv` (`--token-auth-file`): `admin` in
 * system:masters, `worker` (user `fastflow-worker`) in no group.
 */
export async function writeTokens(dir: string): Promise<{ tokens: Tokens; tokenFile: string }> {
  const tokens = { admin: token(), worker: token() };
  const tokenFile = join(dir, 'tokens.csv');
  await writeFile(
    tokenFile,
    `${tokens.admin},admin,admin,system:masters\n` +
      `${tokens.worker},fastflow-worker,fastflow-worker-uid,\n`,
    { mode: 0o600 },
  );
  return { tokens, tokenFile };
}

function kubeconfigYaml(server: string, user: string, userToken: string): string {
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      // Self-signed serving certificate of a loopback-only cluster.
      { name: 'fastflow-local', cluster: { server, 'insecure-skip-tls-verify': true } },
    ],
    users: [{ name: user, user: { token: userToken } }],
    contexts: [
      {
        name: `${user}@fastflow-local`,
        context: { cluster: 'fastflow-local', user, namespace: 'default' },
      },
    ],
    'current-context': `${user}@fastflow-local`,
    preferences: {},
  });
}

/** Writes a kubeconfig (token auth, insecure TLS, namespace default) for `user` to `path`. */
export function writeKubeconfig(
  path: string,
  server: string,
  user: string,
  userToken: string,
): void {
  writeFileSync(path, kubeconfigYaml(server, user, userToken), { mode: 0o600 });
}
