import { PatchStrategy, RequestContext, type ConfigurationOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { mergePatchOptions } from './patch.ts';

async function contentType(opt: ConfigurationOptions): Promise<string | undefined> {
  const ctx = new RequestContext('http://x/', 'PATCH');
  for (const m of opt.middleware ?? []) await m.pre(ctx).toPromise();
  return ctx.getHeaders()['Content-Type'];
}

describe('patch options', () => {
  it('set the Content-Type and append to the configured middleware', async () => {
    expect(mergePatchOptions.middlewareMergeStrategy).toBe('append');
    expect(await contentType(mergePatchOptions)).toBe(PatchStrategy.MergePatch);
  });
});
