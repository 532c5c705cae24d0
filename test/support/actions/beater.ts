// `beater`: a long action that calls ctx.heartbeat() every 100 ms for
// `seconds`, except in its first `stallAttempts` attempts, where it beats once
// and then hangs (until its signal): what a wedged action looks like.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineAction } from '../../../actions-runtime/index.ts';

export const beaterAction = defineAction({
  name: 'beater',
  params: z.object({
    seconds: z.coerce.number().min(0),
    stallAttempts: z.coerce.number().int().min(0).default(0),
  }),
  async run(ctx, { seconds, stallAttempts }) {
    ctx.heartbeat();
    if (ctx.task.attempt <= stallAttempts) {
      await sleep(3_600_000, undefined, { signal: ctx.signal });
      return;
    }
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      await sleep(100, undefined, { signal: ctx.signal });
      ctx.heartbeat();
    }
  },
});
