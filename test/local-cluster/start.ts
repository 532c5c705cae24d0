/**
 * The start sequence of a local control plane, as envtest does it: etcd
 * first (wait for /health), then kube-apiserver (wait for /readyz).
 */
import { existsSync } from 'node:fs';
import { access, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinaries } from './binaries.ts';
import type { Running } from './children.ts';
import { stopRunning, track } from './cleanup.ts';
import { Component } from './component.ts';
import { writeKubeconfig, writeServiceAccountKey, writeTokens } from './credentials.ts';
import { AUDIT_POLICY, apiserverFlags, etcdFlags } from './flags.ts';
import { defaultLog } from './log.ts';
import { freePorts } from './ports.ts';
import { httpGet } from './readiness.ts';
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
    const watchdog = startWatchdog(dir);
    state.watchdog = watchdog;
    const [etcdPort, peerPort, apiPort] = (await freePorts(3)) as [number, number, number];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const server = `https://127.0.0.1:${apiPort}`;

    const keyPath = await writeServiceAccountKey(dir);
    const { tokens, tokenFile } = await writeTokens(dir);
    await mkdir(join(dir, 'certs'));

    const etcd = new Component(state, {
      name: 'etcd',
      command: join(binDir, 'etcd'),
      args: etcdFlags(dir, etcdUrl, peerUrl, fsync),
      readyTimeoutMs: ETCD_READY_TIMEOUT_MS,
      probe: async () => {
        const res = await httpGet(`${etcdUrl}/health`);
        return res.status === 200 && /"health"\s*:\s*"true"/.test(res.body);
      },
    });
    await etcd.start();
    let audit: { logPath: string; policyPath: string } | undefined;
    if (auditLog) {
      audit = { logPath: join(dir, 'audit.log'), policyPath: join(dir, 'audit-policy.yaml') };
      await writeFile(audit.policyPath, AUDIT_POLICY);
    }
    const apiserver = new Component(state, {
      name: 'kube-apiserver',
      command: join(binDir, 'kube-apiserver'),
      args: apiserverFlags({ dir, etcdUrl, apiPort, keyPath, tokenFile, audit }),
      readyTimeoutMs: APISERVER_READY_TIMEOUT_MS,
      probe: async () => {
        const res = await httpGet(`${server}/readyz`, { token: tokens.admin });
        return res.status === 200 && res.body.trim() === 'ok';
      },
    });
    await apiserver.start();

    const kubeconfigPath = join(dir, 'kubeconfig');
    writeKubeconfig(kubeconfigPath, server, 'fastflow-admin', tokens.admin);
    const startMs = Math.round(performance.now() - t0);
    log(
      `control plane ready in ${(startMs / 1000).toFixed(1)} s: ${server} (etcd ${etcdUrl}` +
        `${fsync ? '' : ', fsync off'})`,
    );

    let stopping: Promise<void> | undefined;
    const live = (start: () => Promise<void>): Promise<void> =>
      stopping ? Promise.reject(new Error(`control plane ${server} was stopped`)) : start();
    return {
      external: false,
      kubeconfigPath,
      server,
      adminToken: tokens.admin,
      tokens,
      dir,
      binDir,
      etcdUrl,
      get pids() {
        return { etcd: etcd.pid, apiserver: apiserver.pid, watchdog: watchdog.pid as number };
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
      stopApiServer: () => apiserver.kill(),
      startApiServer: () => live(() => apiserver.start()),
      restartApiServer: (o) => live(() => apiserver.restart(o)),
      stopEtcd: () => etcd.kill(),
      startEtcd: () => live(() => etcd.start()),
      restartEtcd: (o) => live(() => etcd.restart(o)),
    };
  } catch (e) {
    await stopRunning(state);
    throw e;
  }
}
