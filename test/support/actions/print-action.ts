// fastflow's README action: `PrintAction` prints its params, whatever they
// are (the seed examples pass writeName/writePath, fileName, or nothing).
import { defineAction } from '../../../actions-runtime/index.ts';

export const PrintAction = defineAction({
  name: 'PrintAction',
  run(ctx, params) {
    ctx.trace(`action start: ${new Date().toISOString()}`);
    ctx.trace(`params: ${JSON.stringify(params)}`);
  },
});
