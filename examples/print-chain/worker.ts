// A worker program as a fastflow user writes it: define the action, register
// it, start. Run it with `node examples/print-chain/worker.ts` (Node >= 22.19)
// and KUBECONFIG pointing at the cluster.
import { z } from 'zod';
import { defineAction, runWorker } from 'fastflow/actions-runtime';

export const PrintAction = defineAction({
  name: 'PrintAction',
  params: z.object({ key: z.string().default(''), value: z.string().default('') }),
  run(ctx, params) {
    ctx.trace(`action start: ${new Date().toISOString()}`);
    ctx.trace(`params: key[${params.key}] value[${params.value}]`);
  },
});

// Only start when run as a program, so `fastflow worker --actions` can import it too.
if (import.meta.main) await runWorker({ actions: [PrintAction] });
