// Actions with declared types, whose schemas the worker advertises (typed edges).
import { z } from 'zod';
import { defineAction } from '../../../actions-runtime/index.ts';

export const Plan = defineAction({
  name: 'plan',
  params: z.object({}),
  output: z.object({ count: z.number().int(), target: z.string() }),
  run: () => ({ count: 3, target: 'web' }),
});

export const Scale = defineAction({
  name: 'scale',
  params: z.object({ replicas: z.number().int(), name: z.string() }),
  run: (_ctx, params) => ({ scaled: params.replicas }),
});
