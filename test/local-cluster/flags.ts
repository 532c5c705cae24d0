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
  /** Write requests are logged here (see AUDIT_POLICY). */
  audit?: { logPath: string; policyPath: string };
}): string[] {
  const audit = opts.audit
    ? [
        '--audit-policy-file',
        opts.audit.policyPath,
        '--audit-log-path',
        opts.audit.logPath,
        '--audit-log-format',
        'json',
        // Written synchronously with the response: a reader sees every request already answered.
        '--audit-log-mode',
        'blocking',
      ]
    : [];
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
    ...audit,
  ];
}

/** Audit policy: every request that may write, at level Metadata (no bodies); reads are not logged. */
export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    verbs: [get, list, watch]
  - level: Metadata
`;
