import type { DagInstance } from '../api/objects.ts';
import { storedOutputsToLoad, type StoredOutputs } from '../core/stored-outputs.ts';
import type { DagGraph } from '../core/graph.ts';
import type { TaskStatus } from '../api/dag-instance.ts';
import { isNotFound } from '../kube/errors.ts';
import { AttemptDataConflictError, type AttemptDataStore } from '../store/attempt-data.ts';

/**
 * Reads the upstream outputs stored by reference that the instance's system
 * tasks still to be decided read, with the worker's reader (its cache keeps
 * each immutable object once per instance). An object gone, or another
 * instance's, is left out: the task that reads it then fails naming the
 * template, as it would for an output never given. Other errors fail the
 * pass, which is retried.
 */
export async function loadStoredOutputs(
  data: AttemptDataStore,
  instance: DagInstance,
  graph: DagGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
): Promise<{ storedOutputs?: StoredOutputs }> {
  const names = storedOutputsToLoad(graph, tasks);
  if (names.length === 0) return {};
  const { namespace = '', uid = '' } = instance.metadata;
  const read = await Promise.all(
    names.map(async (name) => {
      try {
        return [name, (await data.read(namespace, name, uid)).output] as const;
      } catch (e) {
        if (isNotFound(e) || e instanceof AttemptDataConflictError)
          return [name, undefined] as const;
        throw e;
      }
    }),
  );
  return { storedOutputs: new Map(read.filter(([, output]) => output !== undefined)) };
}
