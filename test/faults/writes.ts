/** Waiting on the API server's audit log for fastflow to write again (after a fault). */
import { accepted, by, operatorAgent, type AuditEntry } from './audit.ts';
import { sleep, type FaultSystem } from './system.ts';

/**
 * performance.now() of the first accepted DagInstance write received at or
 * after `sinceWall` (ms since the epoch) that `match` accepts; undefined when
 * none came within `timeoutMs`.
 */
export async function firstWrite(
  sys: FaultSystem,
  sinceWall: number,
  match: (e: AuditEntry) => boolean,
  timeoutMs: number,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hit = sys.audit
      .entries()
      .find((e) => e.resource === 'daginstances' && e.at >= sinceWall && accepted(e) && match(e));
    // The audit timestamp is the wall clock: converted to the caller's performance clock.
    if (hit) return performance.now() - (Date.now() - hit.at);
    await sleep(200);
  }
  return undefined;
}

/** Written by that operator replica. */
export const byOperator = (identity: string): ((e: AuditEntry) => boolean) =>
  by(operatorAgent(identity));

/** Written by any fastflow process (an operator or a worker). */
export const byFastflow = (e: AuditEntry): boolean => e.userAgent.startsWith('fastflow-');
