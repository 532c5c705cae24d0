/**
 * Phase transitions of instances, the SDK side of fastflow's lifecycle
 * hooks: what changed between two observations of an instance, which hooks
 * that corresponds to, and a subscription delivering them to a handler.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { InstancePhase, OperationRecord, TaskPhase } from '../../operator/api/dag-instance.ts';
import { OPERATION_ANNOTATIONS, type OperationName } from '../../operator/api/names.ts';
import type { DagInstance } from '../../operator/api/objects.ts';
import type { KubeClients } from '../../operator/kube/client.ts';
import { instanceInformer } from '../../operator/kube/custom-informers.ts';
import type { Logger } from '../../operator/log.ts';

/** fastflow's lifecycle hooks, as transitions observed after the fact. */
export type LifecycleHook =
  'BeforeRun' | 'BeforeSuccess' | 'BeforeFail' | 'BeforeBlock' | 'BeforeRetry' | 'BeforeContinue';

export type TaskTransition = { task: string; from: TaskPhase; to: TaskPhase };

/** One observed change of an instance: its phase, its tasks' phases, operations acted on. */
export type InstanceTransition = {
  instance: DagInstance;
  /** The instance as observed before; undefined the first time it is seen. */
  previous: DagInstance | undefined;
  from: InstancePhase | undefined;
  to: InstancePhase;
  tasks: TaskTransition[];
  operations: { name: OperationName; record: OperationRecord }[];
  hooks: LifecycleHook[];
};

export type TransitionHandler = (t: InstanceTransition) => void | Promise<void>;

export type TransitionOptions = {
  /** Also deliver the instances that exist when subscribing (`from: undefined`). Default false. */
  replay?: boolean;
  /** Further attempts when the handler throws, with doubling pauses from 100 ms. Default 3. */
  retries?: number;
  /** Told when the handler still fails after its retries. Default: a line on stderr. */
  onError?: (error: unknown, transition: InstanceTransition) => void;
};

export type TransitionSubscription = {
  /** Resolves once the initial list is in: changes after this are delivered. */
  ready: Promise<void>;
  close(): void;
};

/** Watches the instances of `namespace` and delivers their transitions (see `onTransition`). */
export function subscribeTransitions(
  clients: KubeClients,
  log: Logger,
  namespace: string,
  handler: TransitionHandler,
  opts: TransitionOptions,
): TransitionSubscription {
  const informer = instanceInformer(clients, {
    namespace,
    logger: log.child({ subscription: namespace }),
  });
  const deliver = serialDelivery(handler, opts);
  let live = opts.replay ?? false;
  informer.onEvent((ev) => {
    if (ev.type === 'delete' || ev.type === 'resync') return;
    if (ev.type === 'add' && !live) return;
    // Deleted and re-created under the same name: a new instance, not a transition.
    const sameObject = ev.old?.metadata.uid === ev.obj.metadata.uid;
    const t = transitionOf(sameObject ? ev.old : undefined, ev.obj);
    if (t) deliver(t);
  });
  informer.start();
  const ready = informer.synced().then(() => {
    live = true;
  });
  ready.catch(() => {});
  return { ready, close: () => informer.stop() };
}

/**
 * The change from `previous` to `current` as a transition, or undefined when
 * neither the instance phase, a task phase, nor an operation record changed
 * (most updates: a worker's trace, a label). Exported for tests and for
 * callers that run their own watch.
 */
export function transitionOf(
  previous: DagInstance | undefined,
  current: DagInstance,
): InstanceTransition | undefined {
  const from = previous ? (previous.status?.phase ?? 'Pending') : undefined;
  const to = current.status?.phase ?? 'Pending';
  const tasks = taskTransitions(previous, current);
  const operations = newOperations(previous, current);
  if (from === to && tasks.length === 0 && operations.length === 0) return undefined;
  return {
    instance: current,
    previous,
    from,
    to,
    tasks,
    operations,
    hooks: hooksOf(from, to, tasks, operations),
  };
}

function taskTransitions(
  previous: DagInstance | undefined,
  current: DagInstance,
): TaskTransition[] {
  const before = previous?.status?.tasks ?? {};
  const after = current.status?.tasks ?? {};
  const tasks: TaskTransition[] = [];
  const moved = movedToShard(previous, current);
  for (const task of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (moved(task)) continue;
    const a = before[task]?.phase ?? 'Pending';
    const b = after[task]?.phase ?? 'Pending';
    if (a !== b) tasks.push({ task, from: a, to: b });
  }
  return tasks;
}

/** An entry that left status for a new shard has not changed: it moved. */
function movedToShard(
  previous: DagInstance | undefined,
  current: DagInstance,
): (task: string) => boolean {
  const sharded = (current.status?.shards ?? 0) > (previous?.status?.shards ?? 0);
  return (task) => sharded && current.status?.tasks?.[task] === undefined;
}

/** Operation records written since `previous` (a new value, or the same value acted on again). */
function newOperations(
  previous: DagInstance | undefined,
  current: DagInstance,
): InstanceTransition['operations'] {
  return (Object.keys(OPERATION_ANNOTATIONS) as OperationName[]).flatMap((name) => {
    const was = previous?.status?.operations?.[name];
    const record = current.status?.operations?.[name];
    if (!record || (was && was.value === record.value && was.at === record.at)) return [];
    return [{ name, record }];
  });
}

function hooksOf(
  from: InstancePhase | undefined,
  to: InstancePhase,
  tasks: TaskTransition[],
  operations: InstanceTransition['operations'],
): LifecycleHook[] {
  const hooks: LifecycleHook[] = [];
  const applied = (n: OperationName): boolean =>
    operations.some((o) => o.name === n && o.record.result === 'Applied');
  const entered = (p: InstancePhase): boolean => to === p && from !== p;
  if (entered('Running') && (from === undefined || from === 'Pending')) hooks.push('BeforeRun');
  if (applied('retry') || tasks.some((t) => t.to === 'Retrying')) hooks.push('BeforeRetry');
  if (applied('continue')) hooks.push('BeforeContinue');
  if (entered('Blocked')) hooks.push('BeforeBlock');
  if (entered('Succeeded')) hooks.push('BeforeSuccess');
  // fastflow had no canceled instance: a canceled one ended failed.
  if (entered('Failed') || entered('Canceled')) hooks.push('BeforeFail');
  return hooks;
}

/** Calls the handler one transition at a time, in order, retrying a throw. */
function serialDelivery(
  handler: TransitionHandler,
  opts: TransitionOptions,
): (t: InstanceTransition) => void {
  const retries = opts.retries ?? 3;
  const onError =
    opts.onError ??
    ((e: unknown, t: InstanceTransition): void => {
      const what = `${t.instance.metadata.namespace}/${t.instance.metadata.name} ${t.from ?? '-'} -> ${t.to}`;
      process.stderr.write(`fastflow onTransition handler failed for ${what}: ${String(e)}\n`);
    });
  let chain = Promise.resolve();
  return (t) => {
    chain = chain.then(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await handler(t);
          return;
        } catch (e) {
          if (attempt >= retries) {
            onError(e, t);
            return;
          }
          await sleep(100 * 2 ** attempt);
        }
      }
    });
  };
}
