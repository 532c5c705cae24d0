/**
 * Waiting on one instance: a watch of it (no polling) until a check of it
 * holds, it is deleted, the timeout passes or the signal aborts.
 */
import { DAG_INSTANCE } from '../operator/api/names.ts';
import type { DagInstance } from '../operator/api/objects.ts';
import type { KubeClients } from '../operator/kube/client.ts';
import { Informer, type ListPage } from '../operator/kube/informer.ts';
import type { KubeObject } from '../operator/kube/types.ts';
import type { Logger } from '../operator/log.ts';
import { collectionPath, instanceResource } from '../operator/store/refs.ts';
import { abortReason, FastflowClientError, notFound, refText } from './client-errors.ts';
import { parseInstance, type InstanceKey } from './client-instances.ts';

export type WaitOptions = { timeoutMs?: number; signal?: AbortSignal };

/**
 * Resolves with `check(instance)` once it is defined, watching the one
 * instance (field selector on its name). A `check` that throws rejects.
 */
export function watchInstance<T>(
  clients: KubeClients,
  log: Logger,
  ref: InstanceKey,
  check: (i: DagInstance) => T | undefined,
  opts: WaitOptions & { onTimeout: (last: DagInstance | undefined) => string },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const informer = new Informer<KubeObject>(clients.kc, {
      path: collectionPath(DAG_INSTANCE.plural, ref.namespace),
      fieldSelector: `metadata.name=${ref.name}`,
      list: (o) =>
        clients.custom.listNamespacedCustomObject({
          ...instanceResource,
          namespace: ref.namespace,
          ...o,
        }) as Promise<ListPage<KubeObject>>,
      logger: log.child({ instance: refText(ref) }),
    });
    let last: DagInstance | undefined;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => settle(() => reject(abortReason(opts.signal)));
    const settle = (fn: () => void): void => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      informer.stop();
      fn();
    };
    const consider = (raw: unknown): void => {
      try {
        last = parseInstance(raw);
        const result = check(last);
        if (result !== undefined) settle(() => resolve(result));
      } catch (e) {
        settle(() => reject(e instanceof Error ? e : new Error(String(e))));
      }
    };
    informer.onEvent((ev) => {
      if (ev.type !== 'delete') consider(ev.obj);
      else {
        const msg = `DagInstance ${refText(ref)} was deleted while waiting`;
        settle(() => reject(new FastflowClientError('Deleted', msg)));
      }
    });
    if (opts.signal?.aborted) return reject(abortReason(opts.signal));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(
        () => settle(() => reject(new FastflowClientError('Timeout', opts.onTimeout(last)))),
        opts.timeoutMs,
      );
    }
    informer.start();
    informer.synced().then(
      () => {
        if (informer.list().length === 0) settle(() => reject(notFound(ref)));
      },
      () => {},
    );
  });
}
