/** Command lines of etcd and kube-apiserver, as envtest runs them: loopback only, token auth, RBAC. */
import { join } from 'node:path';

export function etcdFlags(dir: string, etcdUrl: string, peerUrl: string, fsync: boolean): string[] {
  const args = [
    '--name',
    'fastflow',
    '--data-dir',
    join(dir, 'etcd'),
    '--listen-client-urls',
    etcdUrl,
    '--advertise-client-urls',
    etcdUrl,
    '--listen-peer-urls',
    peerUrl,
    '--initial-advertise-peer-urls',
    peerUrl,
    '--initial-cluster',
    `fastflow=${peerUrl}`,
  ];
  if (!fsync) args.push('--unsafe-no-fsync');
  return args;
}

export function apiserverFlags(opts: {
  dir: string;
  etcdUrl: string;
  apiPort: number;
  keyPath: string;
  tokenFile: string;
}): string[] {
  return [
    '--etcd-servers',
    opts.etcdUrl,
    '--bind-address',
    '127.0.0.1',
    '--secure-port',
    String(opts.apiPort),
    '--advertise-address',
    '127.0.0.1',
    // A loopback advertise address is refused by the endpoint reconciler.
    '--endpoint-reconciler-type=none',
    '--cert-dir',
    join(opts.dir, 'certs'),
    '--service-account-issuer',
    'https://kubernetes.default.svc',
    '--service-account-key-file',
    opts.keyPath,
    '--service-account-signing-key-file',
    opts.keyPath,
    '--service-cluster-ip-range',
    '10.0.0.0/24',
    '--authorization-mode',
    'RBAC',
    '--token-auth-file',
    opts.tokenFile,
    // No controller-manager runs to create service account tokens.
    '--disable-admission-plugins',
    'ServiceAccount',
  ];
}
