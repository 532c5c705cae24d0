import type { CustomObjectsApi } from '@kubernetes/client-node';
import { INLINE_VALUE_BYTES, MAX_OUTPUT_BYTES_LIMIT } from '../api/attempt-data.ts';
import { instanceFinished, type DagInstanceStatus } from '../api/dag-instance.ts';
import { API_VERSION, DAG_INSTANCE, OPERATION_ANNOTATIONS } from '../api/names.ts';
import type { DagInstance } from '../api/objects.ts';
import { taskTypeOf } from '../api/task-types.ts';
import {
  childKey,
  childVarsOf,
  type ChildView,
  type SubDagInput,
} from '../core/control/sub-dag.ts';
import type { DagGraph } from '../core/graph.ts';
import { specOf } from '../core/grown-graph.ts';
import { keyOf } from '../kube/types.ts';
import type { Logger } from '../log.ts';
import type { AttemptDataStore } from '../store/attempt-data.ts';
import {
  CANCELED_BY_PARENT,
  cancelChildInstance,
  childTaskOf,
  createChildInstance,
  depthOf,
  parentOf,
  subDagChild,
} from '../store/child-instances.ts';
import { childOutputOf, ChildViews } from './child-output.ts';
import type { RevisionStore } from '../store/revisions.ts';
import type { TaskShardStore } from '../store/task-shards.ts';

export interface SubDagsDeps {
  custom: CustomObjectsApi;
  /** The informer's copy of an instance. */
  instance: (key: string) => DagInstance | undefined;
  /** Whether the informer has Dag `key`. */
  dagExists: (key: string) => boolean;
  revisions: RevisionStore;
  shards: TaskShardStore;
  attemptData: AttemptDataStore;
  log: Logger;
}

/**
 * The I/O of subDag tasks (the decision is core/control/sub-dag.ts). Each
 * parent pass reads its children from the informer's cache (indexed here by
 * their controller ownerReference), so what reaches the parent is the
 * child's state as it is, whenever the pass runs: a child that ended while
 * no operator ran is seen by the first pass after the restart. After the
 * parent's status is written, `sync` creates the children its running
 * subDag tasks need and cancels those no task runs any more.
 */
export class SubDags {
  readonly #d: SubDagsDeps;
  /** Parent key -> keys of the instances that name it as their controller. */
  readonly #children = new Map<string, Set<string>>();
  /** Child key -> its parent's key. */
  readonly #parents = new Map<string, string>();
  /** What each finished child gave, until it changes or goes. */
  readonly #finished = new ChildViews<ChildView>();

  constructor(deps: SubDagsDeps) {
    this.#d = deps;
  }

  /** Indexes an instance changed or deleted (undefined); returns its parent's key, to look at. */
  observe(key: string, instance: DagInstance | undefined): string | undefined {
    const parent = instance && parentOf(instance);
    const parentKey = parent
      ? keyOf({ namespace: instance.metadata.namespace ?? '', name: parent.name })
      : (this.#parents.get(key) ?? undefined);
    if (parentKey === undefined) return undefined;
    if (instance === undefined) {
      this.#finished.forget(key);
      this.#parents.delete(key);
      this.#children.get(parentKey)?.delete(key);
      if (this.#children.get(parentKey)?.size === 0) this.#children.delete(parentKey);
    } else {
      this.#parents.set(key, parentKey);
      this.#children.set(parentKey, (this.#children.get(parentKey) ?? new Set()).add(key));
    }
    return parentKey;
  }

  /** What the pure decision reads of the instance's subDag tasks; undefined when it has none. */
  async input(
    parent: DagInstance,
    graph: DagGraph,
    status: DagInstanceStatus,
  ): Promise<SubDagInput | undefined> {
    const dagNames = [...graph.tasks.values()].flatMap((t) =>
      taskTypeOf(t) === 'subDag' && t.subDag ? [t.subDag.dagName] : [],
    );
    if (dagNames.length === 0) return undefined;
    const namespace = parent.metadata.namespace ?? '';
    const missingDags = new Set(
      dagNames.filter((name) => !this.#d.dagExists(keyOf({ namespace, name }))),
    );
    const children = new Map<string, ChildView>();
    for (const child of this.#childrenOf(parent)) {
      const of = childTaskOf(child);
      const entry = of && status.tasks?.[of.task];
      // Only the child of a task's running attempt decides anything.
      if (!of || entry?.phase !== 'Running' || entry.attempt !== of.attempt) continue;
      children.set(childKey(of.task, of.attempt), await this.#viewOf(parent, child, of));
    }
    return { depth: depthOf(parent), children, missingDags };
  }

  /**
   * After the parent's status `status` is written: the children of running
   * subDag tasks exist (created from their recorded vars), and every other
   * unfinished child is asked to cancel (the task was canceled or ended, or
   * the parent finished). `graph` undefined: only cancel.
   */
  async sync(parent: DagInstance, status: DagInstanceStatus, graph?: DagGraph): Promise<void> {
    const finished = instanceFinished(status.phase);
    const wanted =
      finished || !graph ? new Set<string>() : await this.#create(parent, status, graph);
    const namespace = parent.metadata.namespace ?? '';
    for (const child of this.#childrenOf(parent)) {
      const { name, annotations } = child.metadata;
      if (wanted.has(name) || instanceFinished(child.status?.phase)) continue;
      if (annotations?.[OPERATION_ANNOTATIONS.cancel] === CANCELED_BY_PARENT) continue;
      await cancelChildInstance(this.#d.custom, namespace, name);
      this.#d.log.info({ parent: parent.metadata.name, child: name }, 'child canceled');
    }
  }

  /** Creates the children running subDag tasks need and the cache lacks; returns all their names. */
  async #create(
    parent: DagInstance,
    status: DagInstanceStatus,
    graph: DagGraph,
  ): Promise<Set<string>> {
    const namespace = parent.metadata.namespace ?? '';
    const wanted = new Set<string>();
    for (const [task, entry] of Object.entries(status.tasks ?? {})) {
      const vars = childVarsOf(entry);
      // A grown key (`kids[3]`, `visit#2`) runs its Dag task's subDag.
      const spec = specOf(graph, task)?.subDag;
      if (vars === undefined || spec === undefined) continue;
      const child = subDagChild(parent, task, entry.attempt ?? 1, spec.dagName, vars);
      wanted.add(child.name);
      if (this.#d.instance(keyOf({ namespace, name: child.name }))) continue;
      if (await createChildInstance(this.#d.custom, namespace, child)) {
        this.#d.log.info(
          { parent: parent.metadata.name, task, child: child.name },
          'child created',
        );
      }
    }
    return wanted;
  }

  /** The cached children whose controller is this very parent (not an earlier one of its name). */
  #childrenOf(parent: DagInstance): DagInstance[] {
    const keys = this.#children.get(keyOf(parent.metadata)) ?? new Set<string>();
    return [...keys].flatMap((key) => {
      const child = this.#d.instance(key);
      return child && parentOf(child)?.uid === parent.metadata.uid ? [child] : [];
    });
  }

  async #viewOf(
    parent: DagInstance,
    child: DagInstance,
    of: { task: string; attempt: number },
  ): Promise<ChildView> {
    const name = child.metadata.name;
    if (!instanceFinished(child.status?.phase)) return { name, state: 'running' };
    return this.#finished.get(child, () => this.#finishedView(parent, child, of));
  }

  async #finishedView(
    parent: DagInstance,
    child: DagInstance,
    of: { task: string; attempt: number },
  ): Promise<ChildView> {
    const name = child.metadata.name;
    const phase = child.status?.phase;
    if (phase !== 'Succeeded') {
      const why = child.status?.message ? `: ${child.status.message}` : '';
      return {
        name,
        state: 'failed',
        reason: 'ChildFailed',
        message: `child instance ${name} ${phase}${why}`,
      };
    }
    const output = await childOutputOf(this.#d, child);
    if (output === undefined) return { name, state: 'succeeded' };
    const json = JSON.stringify(output);
    if (json.length > MAX_OUTPUT_BYTES_LIMIT) {
      const message = `the output of child instance ${name} is ${json.length} bytes of JSON; at most ${MAX_OUTPUT_BYTES_LIMIT}`;
      return { name, state: 'failed', reason: 'OutputTooLarge', message };
    }
    if (json.length <= INLINE_VALUE_BYTES) return { name, state: 'succeeded', output };
    // Above the inline bound the output goes where an action's would: the attempt's data object.
    const { namespace = '', name: parentName, uid = '' } = parent.metadata;
    const owner = { apiVersion: API_VERSION, kind: DAG_INSTANCE.kind, name: parentName, uid };
    const ref = { instance: { namespace, name: parentName }, task: of.task, attempt: of.attempt };
    const outputRef = await this.#d.attemptData.create(ref, owner, { output: json });
    return { name, state: 'succeeded', outputRef };
  }
}
