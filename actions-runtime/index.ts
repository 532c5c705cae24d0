/**
 * The fastflow SDK: define actions, register them, run a worker.
 *
 *   import { defineAction, runWorker } from 'fastflow/actions-runtime';
 *   const hello = defineAction({ name: 'Hello', run: (ctx) => ctx.trace('hi') });
 *   await runWorker({ actions: [hello] });
 */
export { defineAction, type Action, type ActionContext } from './action.ts';
export { builtinActions, printAction, sleepAction } from './builtins.ts';
export { ActionRegistry } from './registry.ts';
export { runWorker, type RunWorkerOptions } from './run-worker.ts';
export { startWorker, type RunningWorker } from './worker.ts';
