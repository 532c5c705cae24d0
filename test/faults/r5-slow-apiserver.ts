/**
 * R5: a slow, then a hung API server. Operators and workers reach
 * kube-apiserver through a TCP proxy (`tcp-proxy.ts`) that first delays every
 * response, then holds all responses back for longer than a worker's Lease,
 * then passes again. Neither may double-run (no task succeeds twice; once a
 * leader wrote after the fault, no other replica writes) nor wedge
 * (every instance finishes, and instances created afterwards run).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accepted, by, operatorAgent } from './audit.ts';
import { createInstances, createLoadDag, settle, waitInFlight } from './load.ts';
import { check, loadChecks, type ScenarioResult } from './result.ts';
import { runScenario, secs } from './scenario.ts';
import { sleep, type RunEnv } from './system.ts';
import { TcpProxy } from './tcp-proxy.ts';
import { byOperator, firstWrite } from './writes.ts';

const DELAY_MS = 1_000;
const SLOW_MS = 20_000;

/** The admin kubeconfig with its server replaced by the proxy's address. */
function proxiedKubeconfig(env: RunEnv, port: number): string {
  const path = join(env.cp.dir, 'kubeconfig-proxied');
  const text = env.kc.exportConfig();
  writeFileSync(path, text.replace(env.cp.server, `https://127.0.0.1:${port}`), { mode: 0o600 });
  return path;
}

export async function runR5(env: RunEnv): Promise<ScenarioResult> {
  const proxy = await TcpProxy.start(Number(new URL(env.cp.server).port));
  const stallMs = env.sizes.workerLeaseSecs * 1500;
  const n = env.sizes.instances;
  try {
    return await runScenario(
      env,
      'R5',
      `API server slow (responses +${DELAY_MS / 1000} s for ${SLOW_MS / 1000} s), then hung ` +
        `(${stallMs / 1000} s, 1.5 worker Leases) (${n} instances)`,
      async (sys) => {
        await createLoadDag(sys);
        const names = await createInstances(sys, 'r5', n);
        await waitInFlight(sys, names, 0.1);
        const leaderBefore = await sys.leader();
        proxy.set({ kind: 'delay', ms: DELAY_MS });
        await sleep(SLOW_MS);
        proxy.set({ kind: 'stall' });
        await sleep(stallMs);
        proxy.set({ kind: 'pass' });
        const endedAt = performance.now();
        const endedWall = Date.now();
        env.log('R5: the API server answers again');
        const leader = await sys.leader(60_000);
        const others = sys.operators.filter((o) => o !== leader);
        const resumed = await firstWrite(sys, endedWall, byOperator(leader), 60_000);
        const fresh = await createInstances(sys, 'r5-after', Math.max(5, Math.round(n / 20)));
        const load = await settle(sys, [...names, ...fresh], endedAt);
        const resumedWall =
          resumed === undefined ? Infinity : Date.now() - (performance.now() - resumed);
        const otherWrites = sys.audit
          .entries()
          .filter((e) => e.resource === 'daginstances' && e.at >= resumedWall && accepted(e))
          .filter((e) => others.some((o) => by(operatorAgent(o))(e)));
        const freshDone = fresh.filter((f) => sys.watch.get(f)?.status?.phase === 'Succeeded');
        const exited = sys.procs.all().filter((p) => p.exit !== undefined);
        return {
          figures: {
            'leader before / after': `${leaderBefore} / ${leader}`,
            'fault ends → leader writes again (s)':
              resumed === undefined ? NaN : secs(endedAt, resumed),
            'processes exited':
              exited.map((p) => `${p.name} (${String(p.exit)})`).join(', ') || 'none',
            'instances created afterwards, succeeded': `${freshDone.length}/${fresh.length}`,
          },
          load,
          recoverSeconds: resumed === undefined ? NaN : secs(endedAt, resumed),
          checks: [
            check(
              'one leader at a time: no other replica wrote once the leader was back',
              otherWrites.length === 0,
              `${others.join(', ')}: ${otherWrites.length} accepted DagInstance writes`,
            ),
            check(
              'not wedged: instances created afterwards succeeded',
              freshDone.length === fresh.length,
              `${freshDone.length} of ${fresh.length}`,
            ),
            ...loadChecks(load),
          ],
        };
      },
      { kubeconfig: proxiedKubeconfig(env, proxy.port) },
    );
  } finally {
    await proxy.close();
  }
}
