// An action that fails its first `failAttempts` attempts, then succeeds:
// enough to see retries, retry policies and manual retries at work.
import { z } from 'zod';
import { defineAction } from '../../../actions-runtime/index.ts';

export const flakyAction = defineAction({
  name: 'flaky',
  params: z.object({ failAttempts: z.coerce.number().int().min(0).default(1) }),
  run(ctx, { failAttempts }) {
    if (ctx.task.attempt <= failAttempts) {
      throw new Error(`attempt ${ctx.task.attempt} fails on purpose`);
    }
  },
});

/** `traced-flaky`: as `flaky`, and traces one line per attempt first. */
export const tracedFlakyAction = defineAction({
  name: 'traced-flaky',
  params: z.object({ failAttempts: z.coerce.number().int().min(0).default(1) }),
  run(ctx, { failAttempts }) {
    ctx.trace(`attempt ${ctx.task.attempt}`);
    if (ctx.task.attempt <= failAttempts) {
      throw new Error(`attempt ${ctx.task.attempt} fails on purpose`);
    }
  },
});
