/**
 * R2: a worker dies mid-task (kill -9), and a worker freezes (SIGSTOP) for
 * longer than its Lease, then wakes up (SIGCONT) as a zombie. The operator
 * must give their attempts to other workers; the zombie's late results must
 * be refused (the API server's audit log: its DagInstance writes after it
 * woke, and their answers), and nothing recorded twice. Each fault hits a
 * batch of instances of its own, and a replacement worker starts, as a pod
 * would be restarted.
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

      // 1. kill -9 mid-task.
      const killed = await createInstances(sys, 'r2-kill', half);
      const k = await victimOf(sys, killed);
      const killedAt = performance.now();
      sys.procs.fault(k.process, 'SIGKILL');
      env.log(`R2: killed worker ${k.lease} holding ${k.held.length} attempts`);
      sys.startWorker();
      const kMoved = await waitReassigned(sys, k.held, timeoutMs);

      // 2. SIGSTOP past the Lease, SIGCONT once the operator has moved its attempts.
      const stopped = await createInstances(sys, 'r2-stop', half);
      const z = await victimOf(sys, stopped);
      const stoppedAt = performance.now();
      sys.procs.fault(z.process, 'SIGSTOP');
      env.log(`R2: stopped worker ${z.lease} holding ${z.held.length} attempts`);
      sys.startWorker();
      const zMoved = await waitReassigned(sys, z.held, timeoutMs);
      const wokeAtWall = Date.now();
      const wokeAt = performance.now();
      sys.procs.fault(z.process, 'SIGCONT');

      const names = [...killed, ...stopped];
      const load = await settle(sys, names, wokeAt);
      const late = sys.audit
        .entries()
        .filter(
          (e) => e.resource === 'daginstances' && e.at >= wokeAtWall && by(workerAgent(z.lease))(e),
        );
      const lateAccepted = late.filter(accepted);
      // An accepted write is a late result unless the zombie holds a current attempt there.
      const lateResults = lateAccepted.filter((e) => {
        const tasks = Object.values(sys.watch.get(e.name)?.status?.tasks ?? {});
        return !tasks.some((t) => t.worker === z.lease);
      });
      const checks: Check[] = [
        check(
          'the killed worker was declared dead and its attempts moved',
          kMoved !== undefined,
          kMoved
            ? `${kMoved.reassigned} of ${k.held.length} attempts reassigned ${secs(killedAt, kMoved.at)} s after kill -9`
            : `not within ${timeoutMs / 1000} s`,
        ),
        check(
          'the stopped worker was declared dead and its attempts moved',
          zMoved !== undefined,
          zMoved
            ? `${zMoved.reassigned} of ${z.held.length} attempts reassigned ${secs(stoppedAt, zMoved.at)} s after SIGSTOP`
            : `not within ${timeoutMs / 1000} s`,
        ),
        check(
          "none of the zombie's late results accepted",
          lateResults.length === 0,
          `its DagInstance writes after SIGCONT: ${summarizeWrites(late)}` +
            (lateResults.length > 0
              ? `; accepted into ${lateResults.map((e) => e.name).join(', ')}`
              : ''),
        ),
        ...loadChecks(load),
      ];
      return {
        figures: {
          'kill -9 → attempts reassigned (s)': kMoved ? secs(killedAt, kMoved.at) : NaN,
          'SIGSTOP → attempts reassigned (s)': zMoved ? secs(stoppedAt, zMoved.at) : NaN,
          'zombie writes after SIGCONT, refused': late.length - lateAccepted.length,
          'zombie writes after SIGCONT, accepted': lateAccepted.length,
          'zombie after SIGCONT': String(sys.procs.get(z.process).exit ?? 'still running'),
        },
        load,
        checks,
        // Until the last of the two workers' attempts ran elsewhere.
        recoverSeconds: Math.max(
          kMoved ? secs(killedAt, kMoved.at) : NaN,
          zMoved ? secs(stoppedAt, zMoved.at) : NaN,
        ),
      };
    },
  );
}
