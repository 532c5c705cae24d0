/**
 * R2: a worker dies mid-task (kill -9), and a worker freezes (SIGSTOP) for
 * longer than its Lease, then wakes up (SIGCONT) as a zombie. The operator
 * must give their attempts to other workers; the zombie's late results must
 * not count (none of the attempts taken from it ends as its success in
 * history; its writes after it woke are listed from the API server's audit
 * log), and nothing recorded twice. Each fault hits a
 * batch of instances of its own.
 */
import { accepted, by, summarizeWrites, workerAgent } from './audit.ts';
import { busiestWorker, waitReassigned, type HeldAttempt } from './held-tasks.ts';
import { createInstances, createLoadDag, settle, waitInFlight } from './load.ts';
import { check, loadChecks, type Check, type ScenarioResult } from './result.ts';
import { runScenario, secs } from './scenario.ts';
import type { FaultSystem, RunEnv } from './system.ts';

type Victim = { process: string; lease: string; held: HeldAttempt[] };

/** Starts a batch, waits for it to run, and picks the worker holding most of its running tasks. */
async function victimOf(sys: FaultSystem, names: string[]): Promise<Victim> {
  await waitInFlight(sys, names, 0.1);
  const { workers } = await sys.holders();
  const live = workers.filter(
    (w) => sys.procs.get(w.replace(/-[0-9a-f]{5}$/, '')).exit === undefined,
  );
  const busiest = busiestWorker(sys, names, live);
  if (!busiest) throw new Error('no worker holds a running task of the batch');
  return { process: busiest.lease.replace(/-[0-9a-f]{5}$/, ''), ...busiest };
}

export function runR2(env: RunEnv): Promise<ScenarioResult> {
  const half = Math.max(1, Math.round(env.sizes.instances / 2));
  const lease = env.sizes.workerLeaseSecs;
  return runScenario(
    env,
    'R2',
    `kill -9 a worker mid-task; SIGSTOP a worker past its ${lease} s Lease, then SIGCONT (${half} instances each)`,
    async (sys) => {
      await createLoadDag(sys);
      const timeoutMs = lease * 4 * 1000;

      /** A batch of its own, its busiest worker hit by `signal` (a killed one is replaced). */
      const hit = async (batch: string, signal: NodeJS.Signals) => {
        const names = await createInstances(sys, batch, half);
        const victim = await victimOf(sys, names);
        const at = performance.now();
        sys.procs.fault(victim.process, signal);
        env.log(`R2: ${signal} to worker ${victim.lease} holding ${victim.held.length} attempts`);
        const moved = await waitReassigned(sys, victim.held, timeoutMs);
        return { names, victim, at, moved, since: moved ? secs(at, moved.at) : NaN };
      };
      // 1. kill -9 mid-task; 2. SIGSTOP past the Lease, SIGCONT once its attempts moved.
      const k = await hit('r2-kill', 'SIGKILL');
      const z = await hit('r2-stop', 'SIGSTOP');
      const wokeAtWall = Date.now();
      const wokeAt = performance.now();
      sys.procs.fault(z.victim.process, 'SIGCONT');

      const names = [...k.names, ...z.names];
      const load = await settle(sys, names, wokeAt);
      // Its writes after it woke (results, traces; its Lease renewals left out), for the figures.
      const late = sys.audit
        .entries()
        .filter(
          (e) =>
            e.resource !== 'leases' && e.at >= wokeAtWall && by(workerAgent(z.victim.lease))(e),
        );
      // The operator folds a result only for the current attempt: an attempt taken from the
      // zombie must end in history as lost, never as its late success.
      const lateResults = z.victim.held.filter((h) => {
        const t = sys.watch.get(h.instance)?.status?.tasks?.[h.task];
        const record = t?.history?.find((r) => r.attempt === h.attempt);
        return (t?.attempt ?? 1) > h.attempt && record?.phase === 'Succeeded';
      });
      const movedCheck = (what: string, r: typeof k, signal: string): Check =>
        check(
          `the ${what} worker was declared dead and its attempts moved`,
          r.moved !== undefined,
          r.moved
            ? `${r.moved.reassigned} of ${r.victim.held.length} attempts reassigned ${r.since} s after ${signal}`
            : `not within ${timeoutMs / 1000} s`,
        );
      const checks: Check[] = [
        movedCheck('killed', k, 'kill -9'),
        movedCheck('stopped', z, 'SIGSTOP'),
        check(
          "none of the zombie's late results counted",
          lateResults.length === 0,
          `of its ${z.victim.held.length} attempts, ${lateResults.length} taken from it ended as its ` +
            `success; its writes after SIGCONT: ${summarizeWrites(late)}`,
        ),
        ...loadChecks(load),
      ];
      return {
        figures: {
          'kill -9 → attempts reassigned (s)': k.since,
          'SIGSTOP → attempts reassigned (s)': z.since,
          'zombie writes after SIGCONT, refused by the API server': late.filter((e) => !accepted(e))
            .length,
          'zombie writes after SIGCONT, accepted (the operator folds only current attempts)':
            late.filter(accepted).length,
          'zombie after SIGCONT': String(sys.procs.get(z.victim.process).exit ?? 'still running'),
        },
        load,
        checks,
        // Until the last of the two workers' attempts ran elsewhere.
        recoverSeconds: Math.max(k.since, z.since),
      };
    },
  );
}
