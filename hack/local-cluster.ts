/**
 * `node hack/local-cluster.ts [--fsync]`: starts a local control plane
 * (etcd + kube-apiserver on loopback), prints how to reach it, and runs until
 * Ctrl-C / SIGTERM, then stops everything it started.
 */
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../test/local-cluster/control-plane.ts';

const log = (msg: string): void => {
  process.stderr.write(`fastflow: ${msg}\n`);
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  for (const arg of args) {
    if (arg !== '--fsync') {
      process.stderr.write(
        `usage: node hack/local-cluster.ts [--fsync]\nunknown argument: ${arg}\n`,
      );
      process.exit(2);
    }
  }

  const running: { cp?: ControlPlane } = {};
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping || running.cp === undefined) {
      // Interrupted during start, or a second Ctrl-C: exit now; the control
      // plane's exit handler kills what it started, by pid.
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: stopping the control plane`);
    running.cp.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log(`stop failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
  };
  // Registered before the control plane starts, so a Ctrl-C during the
  // (possibly long) binaries build or start is handled here too.
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  const cp = await startControlPlane({ log, fsync: args.includes('--fsync') });
  running.cp = cp;
  const kubectl = join(cp.binDir, 'kubectl');
  const out = [
    '',
    `Local control plane running: ${cp.server} (etcd ${cp.etcdUrl}, fsync ${cp.fsync ? 'on' : 'off'}), started in ${(cp.startMs / 1000).toFixed(1)} s.`,
    '',
    'Use it from another shell:',
    `  export KUBECONFIG=${cp.kubeconfigPath}`,
    `  ${kubectl} get namespaces`,
    '',
    `Non-admin user fastflow-worker (no RBAC grants): KUBECONFIG=${cp.kubeconfigFor('worker')}`,
    `Logs and data: ${cp.dir} (removed on stop)`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(out.join('\n'));
  // Keep the event loop alive until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

main().catch((e: unknown) => {
  process.stderr.write(
    `fastflow: could not start the local control plane: ${e instanceof Error ? e.message : String(e)}\n`,
  );
  process.exit(1);
});
