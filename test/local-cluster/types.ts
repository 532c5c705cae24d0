/** Public types of the local control plane (re-exported by `control-plane.ts`). */

export type ClusterUser = 'admin' | 'worker';

export type ControlPlaneOptions = {
  /** Directory holding `etcd` and `kube-apiserver` (and `kubectl`). Default: `hack/k8s-binaries.sh`. */
  binDir?: string;
  /** Progress messages (binary build progress included). Default: stderr. */
  log?: (msg: string) => void;
  /** Let etcd fsync (slower, production-like). Default false: `--unsafe-no-fsync`. */
  fsync?: boolean;
  /**
   * Let kube-apiserver write an audit log of every write request (JSON lines, level Metadata:
   * who, what, when, response code) to `<dir>/audit.log`. Default false.
   */
  auditLog?: boolean;
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
  /** Process ids of this control plane's processes (the current ones, after a restart). */
  readonly pids: { etcd: number; apiserver: number; watchdog: number };
  /** Whether etcd runs with fsync (false: `--unsafe-no-fsync`). */
  fsync: boolean;
  /** The API server's audit log of write requests, when started with `auditLog`. */
  auditLogPath: string | undefined;
  /** Milliseconds from start to a ready API server (binaries lookup excluded). */
  startMs: number;
  /** Writes (once) and returns a kubeconfig for that user. */
  kubeconfigFor(user: ClusterUser): string;
  /**
   * Stops kube-apiserver, then etcd (each: SIGTERM, ≈2 s grace, SIGKILL), then the
   * watchdog; removes the temp dir. Idempotent.
   */
  stop(): Promise<void>;
  /**
   * Fault injection. kill -9 of kube-apiserver, resolving once it has exited
   * (nothing when it is not running); clients then get connection refused.
   */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again with the same flags and port; resolves once /readyz says ok. */
  startApiServer(): Promise<void>;
  /** stopApiServer, `downMs` (default 0) without it, startApiServer. */
  restartApiServer(opts?: RestartOptions): Promise<void>;
  /** kill -9 of etcd (kube-apiserver keeps running and answers errors meanwhile). */
  stopEtcd(): Promise<void>;
  /** Starts etcd again on its data directory and port; resolves once /health says true. */
  startEtcd(): Promise<void>;
  /** stopEtcd, `downMs` (default 0) without it, startEtcd. */
  restartEtcd(opts?: RestartOptions): Promise<void>;
};

export type RestartOptions = {
  /** How long the process stays down between its exit and the new start. */
  downMs?: number;
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
