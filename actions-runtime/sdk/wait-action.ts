import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineAction } from './action.ts';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;

/** fastflow's `waitingTime` syntax: a whole number and one unit, e.g. `30s`, `5m`, `1d`, `250ms`. */
export const WaitingTime = z
  .string()
  .regex(/^\d+(d|h|m|s|ms)$/, 'must be a whole number and a unit (d, h, m, s, ms), e.g. "30s"')
  .transform((v) => {
    const [, n, unit] = /^(\d+)(d|h|m|s|ms)$/.exec(v) as unknown as [
      string,
      string,
      keyof typeof UNIT_MS,
    ];
    return Number(n) * UNIT_MS[unit];
  });

/**
 * `wait` (fastflow's `ff-waiting`, also registered under that name): waits
 * `waitingTime`, and fails if the attempt is aborted first.
 */
export const waitAction = defineAction({
  name: 'wait',
  params: z.object({ waitingTime: WaitingTime }),
  async run(ctx, { waitingTime }) {
    await sleep(waitingTime, undefined, { signal: ctx.signal });
  },
});

export const ffWaitingAction = defineAction({ ...waitAction, name: 'ff-waiting' });
