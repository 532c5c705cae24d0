import { setTimeout as sleep } from 'node:timers/promises';

/** Waits until `cond` holds, checking every 5 ms; throws after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > timeoutMs) throw new Error('condition not reached');
    await sleep(5);
  }
}
