// An action that holds a distributed mutex for a while and reports when it
// held it: two workers running it at once must take turns.
import { setTimeout as sleep } from 'node:timers/promises';
import { defineAction } from '../../../actions-runtime/index.ts';

export const criticalAction = defineAction({
  name: 'critical',
  async run(ctx) {
    const lock = ctx.mutex('shared-resource', { ttlSecs: 10 });
    await lock.lock(ctx.signal);
    const entered = Date.now();
    try {
      await sleep(300);
      return { entered, left: Date.now() };
    } finally {
      await lock.unlock();
    }
  },
});
