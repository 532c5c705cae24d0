// An action only some workers have: tasks that name it wait until one of
// those workers is alive.
import { defineAction } from '../../../actions-runtime/index.ts';

export const rareAction = defineAction({
  name: 'rare',
  run(ctx) {
    ctx.trace('rare action ran');
  },
});
