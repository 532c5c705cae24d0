import type { TaskStatus } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import { taskTypeOf } from '../api/task-types.ts';
import type { DagGraph } from '../core/graph.ts';
import { fanOutKey, isFanOut, loopBody, loopOf } from '../core/grown-graph.ts';
import { keyOf } from '../kube/types.ts';
import type { AttemptDataStore } from '../store/attempt-data.ts';
import type { RevisionStore } from '../store/revisions.ts';
import type { TaskShardStore } from '../store/task-shards.ts';

export interface ChildOutputDeps {
  revisions: RevisionStore;
  shards: TaskShardStore;
  attemptData: AttemptDataStore;
}

/**
 * What a succeeded child gives its parent's subDag task, read from the
 * child's parts: what a terminate task set (status.output), else the outputs
 * of its tasks that nothing depends on, by task id. A task that grew keys
 * gives what they gave: a fan-out its copies' outputs in item order, a loop
 * its last iteration's body outputs, each read from its attempt data when
 * stored by reference (the entries only name it there).
 */
export async function childOutputOf(deps: ChildOutputDeps, child: DagInstance): Promise<unknown> {
  if (child.status?.output !== undefined) return child.status.output;
  const namespace = child.metadata.namespace ?? '';
  const { graph } = await deps.revisions.load(namespace, child.status?.dagRevision ?? '');
  // A loop's body tasks end inside it: the loop gives their outputs.
  const sinks = graph.order.filter(
    (id) => !graph.children.get(id)?.length && loopOf(graph, id) === undefined,
  );
  const tasks = (await deps.shards.whole(child)).status?.tasks ?? {};
  const read = async (entry: TaskStatus | undefined): Promise<unknown> => {
    if (entry?.output !== undefined || !entry?.outputRef) return entry?.output;
    const uid = child.metadata.uid ?? '';
    return (await deps.attemptData.read(namespace, entry.outputRef, uid)).output;
  };
  const outputs: Record<string, unknown> = {};
  for (const id of sinks) {
    const value = await sinkOutput(graph, id, tasks, read);
    if (value !== undefined) outputs[id] = value;
  }
  return Object.keys(outputs).length > 0 ? outputs : undefined;
}

type Read = (entry: TaskStatus | undefined) => Promise<unknown>;

async function sinkOutput(
  graph: DagGraph,
  id: string,
  tasks: Readonly<Record<string, TaskStatus>>,
  read: Read,
): Promise<unknown> {
  const entry = tasks[id];
  const spec = graph.tasks.get(id);
  if (entry?.phase === 'Succeeded' && isFanOut(spec) && entry.items !== undefined) {
    const copies: unknown[] = [];
    for (let i = 0; i < entry.items; i++)
      copies.push((await read(tasks[fanOutKey(id, i)])) ?? null);
    return copies;
  }
  const output = entry?.output as { outputs?: unknown } | undefined;
  if (spec && taskTypeOf(spec) === 'loop' && output?.outputs !== undefined) {
    // The body ids hold the mirrors of the last iteration, which name what is stored by reference.
    const body: Record<string, unknown> = {};
    for (const b of loopBody(graph, id)) body[b] = (await read(tasks[b])) ?? null;
    return { ...output, outputs: body };
  }
  return read(entry);
}

/**
 * Views of finished children, by child key, for as long as the child stays
 * at the resourceVersion they were made from: a finished child does not
 * change, yet every pass of its parent asks again until the parent's write
 * lands (reading its snapshot, shards and data objects each time).
 */
export class ChildViews<V> {
  readonly #cache = new Map<string, { version: string; view: V }>();

  async get(child: DagInstance, make: () => Promise<V>): Promise<V> {
    const key = keyOf(child.metadata);
    const version = child.metadata.resourceVersion ?? '';
    const known = this.#cache.get(key);
    if (known && version !== '' && known.version === version) return known.view;
    const view = await make();
    this.#cache.set(key, { version, view });
    return view;
  }

  /** The child left the cache (deleted). */
  forget(key: string): void {
    this.#cache.delete(key);
  }
}
