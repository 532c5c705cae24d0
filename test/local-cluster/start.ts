/**
 * The start sequence of a local control plane, as envtest does it: etcd
 * first (wait for /health), then kube-apiserver (wait for /readyz).
 */
import { existsSync } from 'node:fs';
import { access, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinaries } from './binaries.ts';
import { spawnLogged, type Running } from './children.ts';
import { stopRunning, track } from './cleanup.ts';
import { writeKubeconfig, writeServiceAccountKey, writeTokens } from './credentials.ts';
import { AUDIT_POLICY, apiserverFlags, etcdFlags } from './flags.ts';
import { defaultLog } from './log.ts';
import { freePorts } from './ports.ts';
import { httpGet, waitReady } from './readiness.ts';
import type { ClusterUser, ControlPlane, ControlPlaneOptions } from './types.ts';
import { startWatchdog } from './watchdog.ts';

const ETCD_READY_TIMEOUT_MS = 30_000;
const APISERVER_READY_TIMEOUT_MS = 120_000;
const START_ATTEMPTS = 3;

/** Starts etcd and kube-apiserver on free loopback ports; resolves once /readyz says ok. */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = opts.log ?? defaultLog;
  const binDir = await findBinaries(opts.binDir, log);
  for (const bin of ['etcd', 'kube-apiserver']) {
    try {
      await access(join(binDir, bin));
    } catch {
      throw new Error(`${join(binDir, bin)} not found (binaries directory ${binDir})`);
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binDir, opts.fsync ?? false, opts.auditLog ?? false, log);
    } catch (e) {
      // Another process may grab a port between our probe and the bind.
      const portRace = e instanceof Error && /address already in use/i.test(e.message);
      if (!portRace || attempt >= START_ATTEMPTS) throw e;
      log(`port taken during start, retrying (${attempt}/${START_ATTEMPTS})`);
    }
  }
}

async function startOnce(
  binDir: string,
  fsync: boolean,
  auditLog: boolean,
  log: (msg: string) => void,
): Promise<ControlPlane> {
  const t0 = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'fastflow-cp-'));
  const state: Running = { dir, children: [], watchdog: undefined };
  track(state);
  try {
    state.watchdog = startWatchdog(dir);
    const [etcdPort, peerPort, apiPort] = (await freePorts(3)) as [number, number, number];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const server = `https://127.0.0.1:${apiPort}`;

    const keyPath = await writeServiceAccountKey(dir);
    const { tokens, tokenFile } = await writeTokens(dir);
    await mkdir(join(dir, 'certs'));

    const etcdArgs = etcdFlags(dir, etcdUrl, peerUrl, fsync);
    const etcd = spawnLogged(state, 'etcd', join(binDir, 'etcd'), etcdArgs);
    await waitReady('etcd', etcd.child, etcd.logPath, ETCD_READY_TIMEOUT_MS, async () => {
      const res = await httpGet(`${etcdUrl}/health`);
      return res.status === 200 && /"health"\s*:\s*"true"/.test(res.body);
    });

    let audit: { logPath: string; policyPath: string } | undefined;
    if (auditLog) {
      audit = { logPath: join(dir, 'audit.log'), policyPath: join(dir, 'audit-policy.yaml') };
      await writeFile(audit.policyPath, AUDIT_POLICY);
    }
    const apiserver = spawnLogged(
      state,
      'kube-apiserver',
      join(binDir, 'kube-apiserver'),
      apiserverFlags({ dir, etcdUrl, apiPort, keyPath, tokenFile, audit }),
    );
    await waitReady(
      'kube-apiserver',
      apiserver.child,
      apiserver.logPath,
      APISERVER_READY_TIMEOUT_MS,
      async () => {
        const res = await httpGet(`${server}/readyz`, { token: tokens.admin });
        return res.status === 200 && res.body.trim() === 'ok';
      },
    );

    const kubeconfigPath = join(dir, 'kubeconfig');
    writeKubeconfig(kubeconfigPath, server, 'fastflow-admin', tokens.admin);
    const startMs = Math.round(performance.now() - t0);
    log(
      `control plane ready in ${(startMs / 1000).toFixed(1)} s: ${server} (etcd ${etcdUrl}` +
        `${fsync ? '' : ', fsync off'})`,
    );

    let stopping: Promise<void> | undefined;
    return {
      external: false,
      kubeconfigPath,
      server,
      adminToken: tokens.admin,
      tokens,
      dir,
      binDir,
      etcdUrl,
      pids: {
        etcd: etcd.child.pid as number,
        apiserver: apiserver.child.pid as number,
        watchdog: state.watchdog.pid as number,
      },
      fsync,
      auditLogPath: audit?.logPath,
      startMs,
      kubeconfigFor(user: ClusterUser): string {
        if (user === 'admin') return kubeconfigPath;
        const path = join(dir, `kubeconfig-${user}`);
        if (!existsSync(path)) writeKubeconfig(path, server, 'fastflow-worker', tokens.worker);
        return path;
      },
      stop(): Promise<void> {
        stopping ??= stopRunning(state);
        return stopping;
      },
    };
  } catch (e) {
    await stopRunning(state);
    throw e;
  }
}
