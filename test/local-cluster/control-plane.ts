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
 *
 * This module is the public API; the parts live next to it:
 * - types.ts: ControlPlane, ExternalCluster and the other public types
 * - binaries.ts: findBinaries (hack/k8s-binaries.sh)
 * - start.ts: startControlPlane, the start sequence
 * - flags.ts: the etcd and kube-apiserver command lines
 * - ports.ts, credentials.ts: free ports; service-account key, tokens, kubeconfigs
 * - children.ts, readiness.ts: spawning, stopping and waiting for the processes
 * - component.ts: one process that can be killed and started again (fault tests)
 * - cleanup.ts, watchdog.ts: exit/signal handlers and the parent-death watchdog
 * - connect.ts: startOrConnect (an external cluster for the tests)
 * - log.ts: default progress log, log tails
 */
export { findBinaries } from './binaries.ts';
export { startOrConnect } from './connect.ts';
export { startControlPlane } from './start.ts';
export type {
  ClusterUser,
  ControlPlane,
  ControlPlaneOptions,
  ExternalCluster,
  RestartOptions,
  TestCluster,
} from './types.ts';
