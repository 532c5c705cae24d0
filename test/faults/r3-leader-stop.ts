/**
 * R3: SIGSTOP the leader past its Lease, let the standby take over, then
 * SIGCONT the old leader. It must not write once the standby took over. The
 * proof is the API server's audit log: every write request that carries the
 * old leader's User-Agent and was received after the standby held the Lease,
 * with the answer it got. Refused (409/422) or never sent is fine; an
 * accepted one is a write by a deposed leader.
 */
import { accepted, by, operatorAgent, summarizeWrites } from './audit.ts';
import { createInstances, createLoadDag, settle, waitInFlight } from './load.ts';
import { check, loadChecks, type ScenarioResult } from './result.ts';
import { runScenario, secs } from './scenario.ts';
import { sleep, type RunEnv } from './system.ts';
import { byOperator, firstWrite } from './writes.ts';

export function runR3(env: RunEnv): Promise<ScenarioResult> {
  const n = env.sizes.instances;
  const leaseSecs = env.sizes.operatorLeaseSecs;
  return runScenario(
    env,
    'R3',
    `SIGSTOP the leader past its ${leaseSecs} s Lease, then SIGCONT (${n} instances)`,
    async (sys) => {
      await createLoadDag(sys);
      const names = await createInstances(sys, 'r3', n);
      await waitInFlight(sys, names, 0.15);
      const old = await sys.leader();
      const standby = sys.operators.find((o) => o !== old) as string;
      const stoppedAt = performance.now();
      sys.procs.fault(old, 'SIGSTOP');
      env.log(`R3: stopped leader ${old}`);
      const take = await sys.takeover(old, 60_000);
      const takeoverWall = Date.now() - (performance.now() - take.at);
      const reconciling = await firstWrite(sys, takeoverWall - 1000, byOperator(standby), 60_000);
      const wokeAt = performance.now();
      sys.procs.fault(old, 'SIGCONT');
      // Give the old leader time to act on what it had in hand: until it exits, or two Lease durations.
      const oldProc = sys.procs.get(old);
      await Promise.race([oldProc.proc.exited, sleep(leaseSecs * 2 * 1000)]);
      const exitedAfter = oldProc.exit === undefined ? NaN : secs(wokeAt, performance.now());
      const load = await settle(sys, names, wokeAt);
      const after = sys.audit
        .entries()
        .filter((e) => e.at >= takeoverWall && by(operatorAgent(old))(e));
      const acceptedAfter = after.filter(accepted);
      return {
        figures: {
          'SIGSTOP → standby holds the Lease (s)': secs(stoppedAt, take.at),
          'SIGSTOP → standby reconciling (s)':
            reconciling === undefined ? NaN : secs(stoppedAt, reconciling),
          'old leader writes after takeover, refused': after.length - acceptedAfter.length,
          'old leader writes after takeover, accepted': acceptedAfter.length,
          'old leader after SIGCONT':
            oldProc.exit === undefined
              ? 'still running'
              : `exited (${String(oldProc.exit)}) after ${exitedAfter} s`,
        },
        load,
        recoverSeconds: reconciling === undefined ? NaN : secs(stoppedAt, reconciling),
        checks: [
          check('the standby took over', take.leader === standby, `new leader ${take.leader}`),
          check(
            'the old leader wrote nothing after the takeover',
            acceptedAfter.length === 0,
            `its write requests received after the takeover (audit log): ${summarizeWrites(after)}`,
          ),
          ...loadChecks(load),
        ],
      };
    },
  );
}
