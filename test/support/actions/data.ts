// Actions that pass data along: `emit` returns an output, writes share data
// and traces; `echo` returns the params it received (after templates).
import { z } from 'zod';
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

/** `setter`: writes `key` `times` times (1..times) into the instance's share data. */
export const setterAction = defineAction({
  name: 'setter',
  params: z.object({ key: z.string(), times: z.coerce.number().int().min(1).max(100) }),
  async run(ctx, { key, times }) {
    for (let i = 1; i <= times; i++) await ctx.shareData.set(key, String(i));
  },
});

/** `blob`: an output of about `bytes` bytes of JSON, with a `marker` to read downstream. */
export const blobAction = defineAction({
  name: 'blob',
  params: z.object({ bytes: z.coerce.number().int().min(0), marker: z.string() }),
  run(_ctx, { bytes, marker }) {
    return { marker, size: bytes, fill: 'x'.repeat(bytes) };
  },
});
