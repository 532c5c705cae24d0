/**
 * Actions the bench's workers load (`worker --actions test/bench/actions.ts`)
 * for the outputs workload: one returns an output of a given size, the next
 * reads it through a param template, as a downstream task of a real DAG does.
 */
import { z } from 'zod';
import { defineAction } from '../../actions-runtime/index.ts';

export const emitAction = defineAction({
  name: 'bench-emit',
  params: z.object({ bytes: z.coerce.number().int().min(0) }),
  run(_ctx, { bytes }) {
    return { data: 'x'.repeat(bytes) };
  },
});

export const readAction = defineAction({
  name: 'bench-read',
  params: z.object({ data: z.string() }),
  run(_ctx, { data }) {
    return { length: data.length };
  },
});
