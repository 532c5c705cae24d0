import { setTimeout as sleep } from 'node:timers/promises';

/** Returned by a loopDo body to end the loop successfully (fastflow's run.EndLoop). */
export const END_LOOP: unique symbol = Symbol('fastflow.endLoop');

/**
 * Polls `body` every `intervalMs` (default 1 s) until it returns END_LOOP,
 * throws, or the signal aborts (the attempt timed out or was canceled): the
 * polling helper of fastflow's `run.LoopDo`. The first call is immediate.
 */
export async function loopDo(
  signal: AbortSignal,
  body: () => Promise<typeof END_LOOP | void> | typeof END_LOOP | void,
  opts: { intervalMs?: number } = {},
): Promise<void> {
  const interval = opts.intervalMs ?? 1000;
  for (;;) {
    signal.throwIfAborted();
    if ((await body()) === END_LOOP) return;
    // An abort during the pause ends the loop with the abort's own reason.
    await sleep(interval, undefined, { signal }).catch(() => signal.throwIfAborted());
  }
}
