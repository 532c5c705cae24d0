// `nap`: like the built-in sleep, under a name only the workers given this
// module advertise, so a test can steer tasks to one worker.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineAction } from '../../../actions-runtime/index.ts';

export const napAction = defineAction({
  name: 'nap',
  params: z.object({ seconds: z.coerce.number().min(0) }),
  async run(ctx, { seconds }) {
    await sleep(seconds * 1000, undefined, { signal: ctx.signal });
  },
});
