/**
 * A local Kubernetes control plane (etcd + kube-apiserver on loopback), the
 * way controller-runtime's envtest runs it: what the integration tests, the
 * demo and the benchmark talk to on a machine without Docker. No kubelet, no
 * controller-manager: pods never run, the operator and its workers run as
 * local processes against the API server.
 *
 * Flags and start order follow envtest: etcd first (wait for /health), then
 * kube-apiserver (wait for /readyz), token auth and real RBAC.
 *
 * Process hygiene: every process started here is stopped by its process id
 * (never by name) on stop(), on process exit, on SIGINT/SIGTERM, and, through
 * a small detached watchdog, when the parent process dies without running any
 * handler (kill -9 of the test runner).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPair, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify as toYaml } from 'yaml';

export type ClusterUser = 'admin' | 'worker';

export type ControlPlaneOptions = {
  /** Directory holding `etcd` and `kube-apiserver` (and `kubectl`). Default: `hack/k8s-binaries.sh`. */
  binDir?: string;
  /** Progress messages (binary build progress included). Default: stderr. */
  log?: (msg: string) => void;
  /** Let etcd fsync (slower, production-like). Default false: `--unsafe-no-fsync`. */
  fsync?: boolean;
};

export type ControlPlane = {
  external: false;
  /** Admin kubeconfig (`<dir>/kubeconfig`): token auth, insecure TLS, namespace default. */
  kubeconfigPath: string;
  /** `https://127.0.0.1:<port>` */
  server: string;
  adminToken: string;
  /** Static tokens: `admin` is in system:masters, `worker` (user `fastflow-worker`) has no group. */
  tokens: { admin: string; worker: string };
  /** Temp dir holding data, certs, logs and kubeconfigs; removed by stop(). */
  dir: string;
  binDir: string;
  etcdUrl: string;
  /** Process ids started for this control plane. */
  pids: { etcd: number; apiserver: number; watchdog: number };
  /** Whether etcd runs with fsync (false: `--unsafe-no-fsync`). */
  fsync: boolean;
  /** Milliseconds from start to a ready API server (binaries lookup excluded). */
  startMs: number;
  /** Writes (once) and returns a kubeconfig for that user. */
  kubeconfigFor(user: ClusterUser): string;
  /**
   * Stops kube-apiserver, then etcd (each: SIGTERM, ≈2 s grace, SIGKILL), then the
   * watchdog; removes the temp dir. Idempotent.
   */
  stop(): Promise<void>;
};

/** An existing cluster given by `FASTFLOW_TEST_KUBECONFIG` (e.g. kind): nothing to stop. */
export type ExternalCluster = {
  external: true;
  kubeconfigPath: string;
  server: string;
  adminToken: undefined;
  tokens: undefined;
  dir: undefined;
  binDir: string;
  etcdUrl: undefined;
  pids: undefined;
  kubeconfigFor(user: ClusterUser): string | undefined;
  stop(): Promise<void>;
};

export type TestCluster = ControlPlane | ExternalCluster;

const STOP_GRACE_MS = 2_000;
const ETCD_READY_TIMEOUT_MS = 30_000;
const APISERVER_READY_TIMEOUT_MS = 120_000;
const START_ATTEMPTS = 3;
const LOG_TAIL_LINES = 30;

const binariesScript = fileURLToPath(new URL('../k8s-binaries.sh', import.meta.url));

const defaultLog = (msg: string): void => {
  process.stderr.write(`fastflow: ${msg}\n`);
};

// ---------------------------------------------------------------------------
// Binaries

/**
 * The directory with etcd, kube-apiserver and kubectl: `binDir` if given,
 * else the last stdout line of `hack/k8s-binaries.sh` (which honours
 * KUBEBUILDER_ASSETS, builds once and caches). The script's stderr (build
 * progress) goes to `log` line by line.
 */
export async function findBinaries(
  binDir?: string,
  log: (msg: string) => void = defaultLog,
): Promise<string> {
  if (binDir !== undefined) return binDir;
  const child = spawn('bash', [binariesScript], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderrRest = '';
  const stderrTail: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (stderrRest + chunk).split('\n');
    stderrRest = lines.pop() ?? '';
    for (const line of lines) {
      stderrTail.push(line);
      if (stderrTail.length > LOG_TAIL_LINES) stderrTail.shift();
      if (line.trim() !== '') log(line);
    }
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  });
  if (stderrRest.trim() !== '') {
    stderrTail.push(stderrRest);
    log(stderrRest);
  }
  if (code !== 0) {
    throw new Error(
      `${binariesScript} failed (exit ${code}); set KUBEBUILDER_ASSETS to a directory with etcd ` +
        `and kube-apiserver to skip the build. Last output:\n${stderrTail.join('\n')}`,
    );
  }
  const dir = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .pop();
  if (dir === undefined) throw new Error(`${binariesScript} printed no directory`);
  return dir;
}

// ---------------------------------------------------------------------------
// Process bookkeeping: exit/signal handlers shared by all control planes of
// this process.

type Running = {
  dir: string;
  children: ChildProcess[];
  watchdog: ChildProcess | undefined;
};

const running = new Set<Running>();
let handlersInstalled = false;

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function killSync(state: Running): void {
  // The watchdog first, so it never kills a pid after we already did.
  if (state.watchdog?.pid !== undefined && isAlive(state.watchdog)) {
    try {
      process.kill(-state.watchdog.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const child of state.children) {
    if (child.pid !== undefined && isAlive(child)) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function onExit(): void {
  for (const state of running) {
    killSync(state);
    try {
      rmSync(state.dir, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  }
  running.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Somebody else handles this signal (the local-cluster script, vitest...):
  // they decide how to stop; 'exit' and the watchdog remain the backstops.
  if (process.listenerCount(signal) > 1) return;
  onExit();
  uninstallHandlers();
  // Re-raise with the default disposition so the exit status says "killed by signal".
  process.kill(process.pid, signal);
}

const onSigint = (): void => onSignal('SIGINT');
const onSigterm = (): void => onSignal('SIGTERM');

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', onExit);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
}

function uninstallHandlers(): void {
  if (!handlersInstalled) return;
  handlersInstalled = false;
  process.off('exit', onExit);
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
}

function track(state: Running): void {
  running.add(state);
  installHandlers();
}

function untrack(state: Running): void {
  running.delete(state);
  if (running.size === 0) uninstallHandlers();
}

/**
 * A detached bash loop that outlives us: when this process is gone (or a
 * zombie), it SIGKILLs the pids listed in `<dir>/pids` (only those whose
 * command line still mentions `<dir>`, against pid reuse) and removes `<dir>`.
 * stop() and the exit handler kill it first, by its process group.
 */
const WATCHDOG_SCRIPT = String.raw`
parent=$1; dir=$2
alive() {
  if [ -d /proc/1 ]; then
    [ -r "/proc/$parent/status" ] || return 1
    local line
    while read -r line; do
      case $line in
        State:*Z*|State:*X*) return 1 ;;
        State:*) return 0 ;;
      esac
    done < "/proc/$parent/status"
    return 1
  fi
  kill -0 "$parent" 2>/dev/null
}
while alive; do sleep 0.5; done
if [ -f "$dir/pids" ]; then
  for p in $(cat "$dir/pids"); do
    if [ -r "/proc/$p/cmdline" ]; then
      grep -qaF -- "$dir" "/proc/$p/cmdline" && kill -9 "$p"
    else
      kill -9 "$p"
    fi
  done 2>/dev/null
fi
rm -rf "$dir"
`;

function startWatchdog(dir: string): ChildProcess {
  const child = spawn(
    'bash',
    ['-c', WATCHDOG_SCRIPT, 'fastflow-watchdog', String(process.pid), dir],
    { detached: true, stdio: 'ignore' },
  );
  child.on('error', () => {
    // reported through pid === undefined below
  });
  child.unref();
  if (child.pid === undefined) throw new Error('could not start the watchdog (bash)');
  return child;
}

// ---------------------------------------------------------------------------
// Helpers

/** Free loopback ports: listen on port 0 (all at once so they differ), read, close. */
async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      const addr = server.address();
      if (addr === null || typeof addr === 'string') throw new Error('no port from listen(0)');
      ports.push(addr.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function exited(child: ChildProcess): Promise<void> {
  if (!isAlive(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function token(): string {
  return randomBytes(24).toString('hex');
}

async function logTail(path: string, lines = LOG_TAIL_LINES): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function httpGet(
  url: string,
  opts: { token?: string; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers: Record<string, string> = {};
    if (opts.token !== undefined) headers['Authorization'] = `Bearer ${opts.token}`;
    const callback = (res: http.IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    };
    const req =
      u.protocol === 'https:'
        ? // Self-signed serving cert of this local cluster only.
          https.get(u, { headers, agent: false, rejectUnauthorized: false }, callback)
        : http.get(u, { headers, agent: false }, callback);
    req.setTimeout(opts.timeoutMs ?? 2_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

class ChildExited extends Error {}

/** Polls `probe` until it returns true; fails early, with its log tail, if `child` exits. */
async function waitReady(
  name: string,
  child: ChildProcess,
  logPath: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  const died = exited(child);
  while (Date.now() < deadline) {
    if (!isAlive(child)) {
      const how =
        child.exitCode !== null ? `exit code ${child.exitCode}` : `signal ${child.signalCode}`;
      throw new ChildExited(
        `${name} exited during start (${how}); last lines of ${logPath}:\n${await logTail(logPath)}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
    await Promise.race([sleep(100), died]);
  }
  throw new Error(
    `${name} not ready after ${timeoutMs / 1000} s (${lastError || 'no answer'}); ` +
      `last lines of ${logPath}:\n${await logTail(logPath)}`,
  );
}

function spawnLogged(
  state: Running,
  name: string,
  command: string,
  args: string[],
): { child: ChildProcess; logPath: string } {
  const logPath = join(state.dir, `${name}.log`);
  const fd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ['ignore', fd, fd], detached: false });
  } finally {
    closeSync(fd);
  }
  child.on('error', () => {
    // spawn failures (ENOENT, EACCES) surface as pid === undefined
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  state.children.push(child);
  appendFileSync(join(state.dir, 'pids'), `${child.pid}\n`);
  return { child, logPath };
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

async function stopChild(child: ChildProcess): Promise<void> {
  if (!isAlive(child)) return;
  try {
    child.kill('SIGTERM');
  } catch {
    // already gone
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    exited(child),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS))),
  ]);
  clearTimeout(timer);
  if (isAlive(child)) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  await exited(child);
}

async function stopRunning(state: Running): Promise<void> {
  // Reverse start order: kube-apiserver shuts down in ≈1 s while etcd is up,
  // but keeps retrying (until SIGKILL) once etcd is gone.
  for (const child of [...state.children].reverse()) await stopChild(child);
  const wd = state.watchdog;
  if (wd?.pid !== undefined && isAlive(wd)) {
    try {
      process.kill(-wd.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    wd.ref(); // unref'd at start: without this the loop could end before its exit event
    await exited(wd);
  }
  untrack(state);
  await rm(state.dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------
// Start

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
      return await startOnce(binDir, opts.fsync ?? false, log);
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

    const { privateKey } = await promisify(generateKeyPair)('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    const keyPath = join(dir, 'sa.key');
    await writeFile(keyPath, privateKey, { mode: 0o600 });

    const tokens = { admin: token(), worker: token() };
    const tokenFile = join(dir, 'tokens.csv');
    await writeFile(
      tokenFile,
      `${tokens.admin},admin,admin,system:masters\n` +
        `${tokens.worker},fastflow-worker,fastflow-worker-uid,\n`,
      { mode: 0o600 },
    );
    await mkdir(join(dir, 'certs'));

    const etcdArgs = [
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
    if (!fsync) etcdArgs.push('--unsafe-no-fsync');
    const etcd = spawnLogged(state, 'etcd', join(binDir, 'etcd'), etcdArgs);
    await waitReady('etcd', etcd.child, etcd.logPath, ETCD_READY_TIMEOUT_MS, async () => {
      const res = await httpGet(`${etcdUrl}/health`);
      return res.status === 200 && /"health"\s*:\s*"true"/.test(res.body);
    });

    const apiserver = spawnLogged(state, 'kube-apiserver', join(binDir, 'kube-apiserver'), [
      '--etcd-servers',
      etcdUrl,
      '--bind-address',
      '127.0.0.1',
      '--secure-port',
      String(apiPort),
      '--advertise-address',
      '127.0.0.1',
      // A loopback advertise address is refused by the endpoint reconciler.
      '--endpoint-reconciler-type=none',
      '--cert-dir',
      join(dir, 'certs'),
      '--service-account-issuer',
      'https://kubernetes.default.svc',
      '--service-account-key-file',
      keyPath,
      '--service-account-signing-key-file',
      keyPath,
      '--service-cluster-ip-range',
      '10.0.0.0/24',
      '--authorization-mode',
      'RBAC',
      '--token-auth-file',
      tokenFile,
      // No controller-manager runs to create service account tokens.
      '--disable-admission-plugins',
      'ServiceAccount',
    ]);
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
    writeFileSync(kubeconfigPath, kubeconfigYaml(server, 'fastflow-admin', tokens.admin), {
      mode: 0o600,
    });
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
      startMs,
      kubeconfigFor(user: ClusterUser): string {
        if (user === 'admin') return kubeconfigPath;
        const path = join(dir, `kubeconfig-${user}`);
        if (!existsSync(path)) {
          writeFileSync(path, kubeconfigYaml(server, 'fastflow-worker', tokens.worker), {
            mode: 0o600,
          });
        }
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

/**
 * For tests: the cluster named by `FASTFLOW_TEST_KUBECONFIG` if set (stop()
 * does nothing, no tokens), else a fresh local control plane.
 */
export async function startOrConnect(
  opts: ControlPlaneOptions & { kubeconfig?: string } = {},
): Promise<TestCluster> {
  const given = opts.kubeconfig ?? process.env['FASTFLOW_TEST_KUBECONFIG'];
  if (given === undefined || given === '') return startControlPlane(opts);
  const external = resolve(given);
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(external);
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) {
    throw new Error(`kubeconfig ${external}: no current cluster`);
  }
  const binDir = await findBinaries(opts.binDir, opts.log ?? defaultLog);
  const workerKubeconfig = process.env['FASTFLOW_TEST_WORKER_KUBECONFIG'] || undefined;
  (opts.log ?? defaultLog)(`using existing cluster ${server} (${external})`);
  return {
    external: true,
    kubeconfigPath: external,
    server,
    adminToken: undefined,
    tokens: undefined,
    dir: undefined,
    binDir,
    etcdUrl: undefined,
    pids: undefined,
    kubeconfigFor: (user) => (user === 'admin' ? external : workerKubeconfig),
    stop: async () => {},
  };
}
