/**
 * R7, the soak: a steady stream of instances for `--soak MINUTES`, and at
 * random moments (seeded: the seed is printed) a kill -9 of the leader or of
 * a worker, plus a kube-apiserver restart every few minutes (a process that
 * is gone is replaced, see FaultSystem). At the end every instance must finish: 0 lost, 0 stuck,
 * every extra attempt in attempt history, no task run to the end twice.
 */
import { prng } from '../support/decide-simulation.ts';
import { createInstances, createLoadDag, createWithRetry, settle } from './load.ts';
import { check, loadChecks, type ScenarioResult } from './result.ts';
import { runScenario } from './scenario.ts';
import { sleep, type FaultSystem, type RunEnv } from './system.ts';

const INSTANCES_PER_SECOND = 2;
/** Between two process kills: uniformly 20–70 s. */
const KILL_EVERY_MS: [number, number] = [20_000, 70_000];
const APISERVER_EVERY_MS = 180_000;
const APISERVER_DOWN_MS = 5_000;

type Tally = Record<string, number>;

async function killOne(
  sys: FaultSystem,
  random: () => number,
  tally: Tally,
  log: (m: string) => void,
): Promise<void> {
  const leader = await sys.leader(30_000).catch(() => undefined);
  const workers = sys.procs
    .all()
    .filter((p) => p.exit === undefined && !sys.operators.includes(p.name))
    .map((p) => p.name);
  const victims = [...(leader ? [leader] : []), ...workers];
  const victim = victims[Math.floor(random() * victims.length)];
  if (victim === undefined) return;
  const kind = victim === leader ? 'kill -9 leader' : 'kill -9 worker';
  tally[kind] = (tally[kind] ?? 0) + 1;
  log(`R7: ${kind} ${victim}`);
  sys.procs.fault(victim, 'SIGKILL');
}

export function runR7(
  env: RunEnv,
  minutes: number,
  seed = Date.now() % 1_000_000,
): Promise<ScenarioResult> {
  return runScenario(
    env,
    'R7',
    `soak for ${minutes} min: ${INSTANCES_PER_SECOND} instances/s, a kill -9 of the leader or a worker ` +
      `every ${KILL_EVERY_MS[0] / 1000}–${KILL_EVERY_MS[1] / 1000} s, kube-apiserver restarted every ` +
      `${APISERVER_EVERY_MS / 60_000} min (seed ${seed})`,
    async (sys) => {
      await createLoadDag(sys);
      const random = prng(seed);
      const tally: Tally = {};
      const names: string[] = [];
      const end = performance.now() + minutes * 60_000;
      let nextKill = performance.now() + KILL_EVERY_MS[0];
      let nextRestart = performance.now() + APISERVER_EVERY_MS;
      let created = 0;
      const t0 = performance.now();
      while (performance.now() < end) {
        const due = Math.floor(((performance.now() - t0) / 1000) * INSTANCES_PER_SECOND);
        for (; created < due; created++) {
          const name = `r7-${String(created).padStart(6, '0')}`;
          names.push(name);
          // Not awaited: the stream goes on while the API server is away (the create retries).
          createWithRetry(sys, name).catch((e: unknown) =>
            env.log(`R7: ${name} not created: ${String(e)}`),
          );
        }
        if (performance.now() >= nextKill) {
          await killOne(sys, random, tally, env.log);
          nextKill =
            performance.now() + KILL_EVERY_MS[0] + random() * (KILL_EVERY_MS[1] - KILL_EVERY_MS[0]);
        }
        if (performance.now() >= nextRestart) {
          tally['kube-apiserver restart'] = (tally['kube-apiserver restart'] ?? 0) + 1;
          env.log('R7: restarting kube-apiserver');
          await env.cp.restartApiServer({ downMs: APISERVER_DOWN_MS });
          nextRestart = performance.now() + APISERVER_EVERY_MS;
        }
        await sleep(250);
      }
      const faultsEndedAt = performance.now();
      const fresh = await createInstances(sys, 'r7-after', 5);
      const load = await settle(sys, [...names, ...fresh], faultsEndedAt);
      const faults = Object.entries(tally);
      const onTheirOwn = sys.exits.filter((e) => !e.endsWith('(faulted)')).length;
      return {
        figures: {
          seed: String(seed),
          minutes,
          faults: faults.map(([k, v]) => `${k} ${v}`).join(', ') || 'none',
          'processes that exited on their own': onTheirOwn,
        },
        load,
        checks: [
          check('faults were injected', faults.length > 0, `${faults.length} kinds`),
          ...loadChecks(load),
        ],
      };
    },
  );
}
