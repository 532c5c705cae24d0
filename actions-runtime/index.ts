/**
 * The fastflow SDK: define actions, register them, run a worker.
 *
 *   import { defineAction, runWorker } from 'fastflow/actions-runtime';
 *   const hello = defineAction({ name: 'Hello', run: (ctx) => ctx.trace('hi') });
 *   await runWorker({ actions: [hello] });
 */
export { defineAction, type Action, type ActionContext, type ShareData } from './action.ts';
export { NonRetryableError } from './errors.ts';
export { END_LOOP, loopDo } from './loop-do.ts';
export { ffWaitingAction, waitAction } from './wait-action.ts';
export { builtinActions, printAction, sleepAction } from './builtins.ts';
export { ActionRegistry } from './registry.ts';
export { runWorker, type RunWorkerOptions } from './run-worker.ts';
export { startWorker, type RunningWorker } from './worker.ts';
export {
  FastflowClient,
  FastflowClientError,
  transitionOf,
  type ClientErrorReason,
  type FastflowClientOptions,
  type InstanceRef,
  type InstanceTransition,
  type LifecycleHook,
  type OperationOptions,
  type RunDagOptions,
  type TaskTransition,
  type TransitionHandler,
  type TransitionOptions,
  type TransitionSubscription,
  type WaitOptions,
} from './client.ts';
export {
  LeaseMutex,
  MutexError,
  mutexLeaseName,
  MUTEX_LABEL,
  type LeaseMutexOptions,
} from './mutex.ts';
export { loadKubeConfig, makeClients, type KubeClients } from '../operator/kube/client.ts';
export { KubeApiError } from '../operator/kube/errors.ts';
export type { DagInstance } from '../operator/api/objects.ts';
export type { OperationRecord } from '../operator/api/dag-instance.ts';
