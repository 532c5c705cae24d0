import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { KubeClients } from '../../operator/kube/client.ts';
import { defineAction, type Action } from './action.ts';
import { containerAction } from './container-action.ts';
import { httpAction } from './http-action.ts';
import { transformAction } from './transform-action.ts';
import { ffWaitingAction, waitAction } from './wait-action.ts';

/** `print`: writes its params to the trace (and, at debug level, to the worker log). */
export const printAction = defineAction({
  name: 'print',
  run(ctx, params) {
    const line = `${ctx.instance.name}/${ctx.task.id}: ${JSON.stringify(params)}`;
    ctx.trace(line);
    ctx.log.debug({ params }, 'print');
  },
});

/** `sleep`: waits `seconds` (fractions allowed), and stops early when aborted. */
export const sleepAction = defineAction({
  name: 'sleep',
  params: z.object({
    seconds: z.coerce
      .number()
      .min(0)
      .max(7 * 24 * 3600),
  }),
  async run(ctx, { seconds }) {
    await sleep(seconds * 1000, undefined, { signal: ctx.signal });
  },
});

/**
 * The actions every worker has (docs/builtin-actions.md). `http` and
 * `container` read Secrets and run Jobs through the worker's API clients.
 */
export function builtinActions(clients: KubeClients): readonly Action<unknown>[] {
  return [
    printAction,
    sleepAction,
    waitAction,
    ffWaitingAction,
    transformAction,
    httpAction(clients.core),
    containerAction(clients),
  ];
}
