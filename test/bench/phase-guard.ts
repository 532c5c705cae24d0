/**
 * What every phase shares: its context (API, watch, processes, deadlines) and
 * the guard that makes each wait fail with a reason instead of hanging: every
 * wait races a phase deadline, a stall detector (no instance changed for a
 * while) and the exit of an operator or a worker.
 */
import type { BenchApi } from './instances.ts';
import type { InstanceWatch } from './instance-watch.ts';
import type { BenchProcesses } from './processes.ts';

export type PhaseContext = {
  api: BenchApi;
  watch: InstanceWatch;
  procs: BenchProcesses;
  server: string;
  token: string;
  /** Whole-phase deadline. */
  timeoutMs: number;
  /** Fail when no instance of the namespace changed for this long. */
  stallMs: number;
  log: (msg: string) => void;
};

export class PhaseError extends Error {}

export type Running = {
  ctx: PhaseContext;
  deadline: number;
  abort: AbortController;
};

/** Resolves with `p`, or rejects with a PhaseError saying why waiting stopped. */
export async function guard<T>(run: Running, p: Promise<T>, waitingFor: () => string): Promise<T> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const { ctx } = run;
  const check = new Promise<never>((_, reject) => {
    const tick = (): void => {
      const gone = ctx.procs.exitReason();
      const quietMs = performance.now() - Math.max(start, ctx.watch.lastChange);
      if (run.abort.signal.aborted) reject(new PhaseError('aborted: another wait failed'));
      else if (gone) reject(new PhaseError(`${gone} while waiting for ${waitingFor()}`));
      else if (Date.now() > run.deadline) {
        reject(
          new PhaseError(`phase timeout (${ctx.timeoutMs / 1000} s) waiting for ${waitingFor()}`),
        );
      } else if (quietMs > ctx.stallMs) {
        const watchNote = ctx.watch.lastWatchError
          ? ` (last watch error: ${ctx.watch.lastWatchError})`
          : '';
        reject(
          new PhaseError(
            `no progress: no instance changed for ${Math.round(quietMs / 1000)} s while waiting for ` +
              `${waitingFor()}${watchNote}`,
          ),
        );
      } else timer = setTimeout(tick, 250);
    };
    tick();
  });
  try {
    return await Promise.race([p, check]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits for the operator to validate the Dag, so the first instance does not
 * pay for it. An invalid Dag fails the phase; no verdict within 10 s only
 * warns (instances may still run).
 */
export async function waitDagValid(run: Running, name: string): Promise<void> {
  let last: { valid?: boolean; message?: string } | undefined;
  const until = Math.min(run.deadline, Date.now() + Math.min(run.ctx.stallMs, 10_000));
  while (Date.now() < until) {
    const gone = run.ctx.procs.exitReason();
    if (gone) throw new PhaseError(`${gone} while waiting for Dag ${name} to be validated`);
    last = await run.ctx.api.getDagStatus(name);
    if (last?.valid === true) return;
    if (last?.valid === false)
      throw new PhaseError(`Dag ${name} is invalid: ${last.message ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  run.ctx.log(
    `warning: Dag ${name} got no status.valid in 10 s (status ${JSON.stringify(last ?? null)}); ` +
      'creating instances anyway',
  );
}
