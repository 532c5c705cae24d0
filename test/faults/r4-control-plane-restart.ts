/**
 * R4: the control plane goes away under load and comes back. kube-apiserver
 * is killed -9 and started again with the same flags after a few seconds;
 * then etcd is. Every instance must finish, the watches must resume (the
 * operator reconciles instances created after the restarts), and no worker
 * may be declared dead for it: none exits, no attempt ends WorkerLost.
 */
import { createInstances, createLoadDag, settle, waitInFlight } from './load.ts';
import { check, loadChecks, type ScenarioResult } from './result.ts';
import { runScenario, secs } from './scenario.ts';
import type { RunEnv } from './system.ts';
import { byFastflow, firstWrite } from './writes.ts';

/** How long each component stays down: the outage of the report. */
const DOWN_MS = 5_000;

export function runR4(env: RunEnv): Promise<ScenarioResult> {
  const n = env.sizes.instances;
  const down = DOWN_MS / 1000;
  return runScenario(
    env,
    'R4',
    `kill -9 kube-apiserver, ${down} s down, start it again; then etcd (${n} instances)`,
    async (sys) => {
      await createLoadDag(sys);
      const workers = sys.procs.all().filter((p) => !sys.operators.includes(p.name));
      const names = await createInstances(sys, 'r4', n);
      await waitInFlight(sys, names, 0.1);

      const apiDownAt = performance.now();
      await env.cp.restartApiServer({ downMs: DOWN_MS });
      const apiUp = performance.now();
      const apiUpWall = Date.now();
      env.log(`R4: kube-apiserver back after ${secs(apiDownAt, apiUp)} s`);
      const afterApi = await firstWrite(sys, apiUpWall, byFastflow, 60_000);

      const etcdDownAt = performance.now();
      await env.cp.restartEtcd({ downMs: DOWN_MS });
      const etcdUp = performance.now();
      const etcdUpWall = Date.now();
      env.log(`R4: etcd back after ${secs(etcdDownAt, etcdUp)} s`);
      const afterEtcd = await firstWrite(sys, etcdUpWall, byFastflow, 60_000);

      // Instances created after both restarts run only if the operator's and the workers' watches resumed.
      const fresh = await createInstances(sys, 'r4-after', Math.max(5, Math.round(n / 20)));
      const load = await settle(sys, [...names, ...fresh], etcdUp);
      const freshDone = fresh.filter((f) => sys.watch.get(f)?.status?.phase === 'Succeeded');
      const exited = workers.filter((w) => w.exit !== undefined);
      const workerLost = load.extraByReason['WorkerLost'] ?? 0;
      const recover = (from: number, at: number | undefined): number =>
        at === undefined ? NaN : secs(from, at);
      return {
        figures: {
          'kube-apiserver back → first fastflow write (s)': recover(apiUp, afterApi),
          'etcd back → first fastflow write (s)': recover(etcdUp, afterEtcd),
          'instances created after the restarts, succeeded': `${freshDone.length}/${fresh.length}`,
          'workers exited': exited.map((w) => `${w.name} (${String(w.exit)})`).join(', ') || 'none',
          'attempts ended WorkerLost': workerLost,
        },
        load,
        recoverSeconds: Math.max(recover(apiUp, afterApi), recover(etcdUp, afterEtcd)),
        checks: [
          check(
            'watches resumed: instances created after the restarts succeeded',
            freshDone.length === fresh.length,
            `${freshDone.length} of ${fresh.length}`,
          ),
          check(
            'no worker declared dead for the outage',
            exited.length === 0 && workerLost === 0,
            `${exited.length} workers exited, ${workerLost} attempts ended WorkerLost`,
          ),
          ...loadChecks(load),
        ],
      };
    },
  );
}
