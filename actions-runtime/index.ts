/**
 * The fastflow SDK: define actions, register them, run a worker.
 *
 *   import { defineAction, runWorker } from 'fastflow/actions-runtime';
 *   const hello = defineAction({ name: 'Hello', run: (ctx) => ctx.trace('hi') });
 *   await runWorker({ actions: [hello] });
 */
export { defineAction, type Action, type ActionContext, type ShareData } from './sdk/action.ts';
export { NonRetryableError } from './sdk/errors.ts';
export { END_LOOP, loopDo } from './sdk/loop-do.ts';
export { ffWaitingAction, waitAction } from './sdk/wait-action.ts';
export { builtinActions, printAction, sleepAction } from './sdk/builtins.ts';
export { httpAction } from './sdk/http-action.ts';
export { transformAction } from './sdk/transform-action.ts';
export { containerAction } from './sdk/container-action.ts';
export { ActionRegistry } from './sdk/registry.ts';
export { runWorker, type RunWorkerOptions } from './worker/run-worker.ts';
export { startWorker, type RunningWorker } from './worker/worker.ts';
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
  type Sent,
  type TaskTransition,
  type TransitionHandler,
  type TransitionOptions,
  type TransitionSubscription,
  type WaitOptions,
} from './client/client.ts';
export {
  LeaseMutex,
  MutexError,
  mutexLeaseName,
  MUTEX_LABEL,
  type LeaseMutexOptions,
} from './mutex/mutex.ts';
export { loadKubeConfig, makeClients, type KubeClients } from '../operator/kube/client.ts';
export { KubeApiError } from '../operator/kube/errors.ts';
export type { DagInstance } from '../operator/api/objects.ts';
export type { OperationRecord } from '../operator/api/dag-instance.ts';
