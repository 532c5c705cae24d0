/**
 * Waiting on one instance: a watch of it (no polling) until a check of it
 * holds, it is deleted, the timeout passes or the signal aborts. The one
 * watch of a single instance, used by the client and by `kubectl fastflow
 * run --watch`.
 */
import type { DagInstance } from '../../operator/api/objects.ts';
import type { KubeClients } from '../../operator/kube/client.ts';
import { instanceInformer } from '../../operator/kube/custom-informers.ts';
import type { Logger } from '../../operator/log.ts';
import { abortReason, FastflowClientError, notFound, refText } from './errors.ts';
import type { InstanceKey } from './instances.ts';

export type WaitOptions = { timeoutMs?: number; signal?: AbortSignal };

/**
 * Resolves with `check(instance)` once it is defined, watching the one
 * instance (field selector on its name); `check` sees every change. Rejects
 * with a FastflowClientError when the instance does not exist (`NotFound`),
 * is deleted (`Deleted`) or the timeout passes (`Timeout`, `onTimeout` says
 * why); with the signal's reason on abort; with what `check` throws.
 */
export function watchInstance<T>(
  clients: KubeClients,
  log: Logger,
  ref: InstanceKey,
  check: (i: DagInstance) => T | undefined,
  opts: WaitOptions & { onTimeout?: (last: DagInstance | undefined) => string },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const informer = instanceInformer(clients, {
      namespace: ref.namespace,
      fieldSelector: `metadata.name=${ref.name}`,
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
    const consider = (instance: DagInstance): void => {
      try {
        last = instance;
        const result = check(instance);
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
      const why = (): string =>
        opts.onTimeout?.(last) ??
        `DagInstance ${refText(ref)}: no result within ${opts.timeoutMs} ms`;
      timer = setTimeout(
        () => settle(() => reject(new FastflowClientError('Timeout', why()))),
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
