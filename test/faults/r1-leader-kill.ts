/**
 * R1: kill -9 the leader with the load in flight. Another replica must take
 * the Lease and be reconciling (its first accepted DagInstance write, from the
 * API server's audit log) within 15 s; every instance finishes. As under a
 * Deployment, the killed pod is replaced at once, so the new leader is either
 * the standby or the killed leader's replacement, whichever claims the expired
 * Lease first: both are "another replica", and the figures name which.
 */
import { createInstances, createLoadDag, settle, waitInFlight } from './load.ts';
import { check, loadChecks, type ScenarioResult } from './result.ts';
import { runScenario, secs } from './scenario.ts';
import type { RunEnv } from './system.ts';
import { byOperator, firstWrite } from './writes.ts';

const RECONCILING_BOUND_SECS = 15;

export function runR1(env: RunEnv): Promise<ScenarioResult> {
  const n = env.sizes.instances;
  return runScenario(env, 'R1', `kill -9 the leader with ${n} instances in flight`, async (sys) => {
    await createLoadDag(sys);
    const names = await createInstances(sys, 'r1', n);
    await waitInFlight(sys, names, 0.15);
    const leader = await sys.leader();
    const killedAt = performance.now();
    const killedAtWall = Date.now();
    sys.procs.fault(leader, 'SIGKILL');
    env.log(`R1: killed leader ${leader}`);
    const take = await sys.takeover(leader, 60_000);
    const reconciling = await firstWrite(sys, killedAtWall, byOperator(take.leader), 60_000);
    const load = await settle(sys, names, killedAt);
    const reconcilingSecs = reconciling === undefined ? NaN : secs(killedAt, reconciling);
    return {
      figures: {
        'kill → another replica holds the Lease (s)': secs(killedAt, take.at),
        'kill → new leader reconciling (s)': reconcilingSecs,
        'faults end → last instance terminal (s)': Math.round(load.settleSeconds * 10) / 10,
      },
      load,
      recoverSeconds: reconcilingSecs,
      checks: [
        check(
          'another live replica took over',
          take.leader !== leader &&
            sys.operators.includes(take.leader) &&
            sys.procs.get(take.leader).exit === undefined,
          `new leader ${take.leader}`,
        ),
        check(
          `new leader reconciling within ${RECONCILING_BOUND_SECS} s`,
          reconcilingSecs <= RECONCILING_BOUND_SECS,
          `${reconcilingSecs} s from kill -9 to its first accepted DagInstance write`,
        ),
        ...loadChecks(load),
      ],
    };
  });
}
