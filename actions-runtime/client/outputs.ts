/**
 * The values of an instance's tasks wherever they live: an output or
 * recorded params above the inline bound is in the attempt's data object and
 * the task entry names it (outputRef, paramsRef). Readers of a whole instance
 * (the client's get and waitFor, the kubectl plugin) put the values back into
 * `status.tasks.<id>.output` / `.params`, the shape the entry has when they
 * are inline, so a program reads an output the same way whatever its size.
 */
import type { DagInstance } from '../../operator/api/objects.ts';
import type { KubeClients } from '../../operator/kube/client.ts';
import { AttemptDataStore } from '../../operator/store/attempt-data.ts';

/** The instance with every referenced value read (one list of its data objects, if any). */
export async function withReferencedValues(
  clients: KubeClients,
  instance: DagInstance,
): Promise<DagInstance> {
  const tasks = instance.status?.tasks;
  const refs = Object.values(tasks ?? {}).some((t) => t.outputRef || t.paramsRef);
  if (!tasks || !refs) return instance;
  const ref = { namespace: instance.metadata.namespace ?? '', name: instance.metadata.name };
  const objects = await new AttemptDataStore(clients.core).list(ref);
  const resolved = Object.fromEntries(
    Object.entries(tasks).map(([id, t]) => {
      const output = t.outputRef ? objects.get(t.outputRef)?.output : undefined;
      const params = t.paramsRef ? objects.get(t.paramsRef)?.params : undefined;
      return [
        id,
        {
          ...t,
          ...(output !== undefined ? { output } : {}),
          ...(params !== undefined ? { params } : {}),
        },
      ];
    }),
  );
  return { ...instance, status: { ...instance.status, tasks: resolved } };
}
