// Actions that pass data along: `emit` returns an output, writes share data
// and traces; `echo` returns the params it received (after templates).
import { defineAction } from '../../../actions-runtime/index.ts';

export const emitAction = defineAction({
  name: 'emit',
  async run(ctx) {
    ctx.trace('emitting');
    await ctx.shareData.set('region', 'eu-west');
    ctx.trace(`region saved; previous run: ${(await ctx.shareData.get('missing')) ?? 'none'}`);
    return { ip: '10.1.2.3', ports: [8080, 8443], ready: true };
  },
});

export const echoAction = defineAction({
  name: 'echo',
  run(_ctx, params) {
    return params;
  },
});
