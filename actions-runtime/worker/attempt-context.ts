import type { CoordinationV1Api, V1OwnerReference } from '@kubernetes/client-node';
import { API_VERSION, DAG_INSTANCE } from '../../operator/api/names.ts';
import type { Logger } from '../../operator/log.ts';
import type { ShareDataStore } from '../../operator/store/share-data.ts';
import { TraceBuffer, type TraceStore } from '../../operator/store/traces.ts';
import type { ActionContext } from '../sdk/action.ts';
import type { LocalAttempt } from './local-attempts.ts';
import { LeaseMutex } from '../mutex/mutex.ts';

/** How often a running attempt's new trace lines are written. */
const TRACE_FLUSH_MS = 1000;

export interface ContextDeps {
  worker: string;
  shareData: ShareDataStore;
  traces: TraceStore;
  coordination: CoordinationV1Api;
  leaseNamespace: string;
  log: Logger;
}

export interface AttemptContext {
  ctx: Omit<ActionContext, 'signal'>;
  /** Writes the trace lines not yet written, and stops the periodic flush. */
  close(): Promise<void>;
}

/** The owner reference that ties what an attempt leaves (traces, data) to its instance. */
export function instanceOwner(a: LocalAttempt, uid: string): V1OwnerReference {
  return { apiVersion: API_VERSION, kind: DAG_INSTANCE.kind, name: a.instance, uid };
}

/**
 * The context of one attempt: its vars, its trace (kept in a ConfigMap per
 * attempt, flushed every second while it changes and once at the end), the
 * instance's share data and Lease-backed mutexes. Owner references tie the
 * trace and share-data ConfigMaps to the DagInstance, so they go with it.
 */
export function attemptContext(
  a: LocalAttempt,
  uid: string,
  vars: Readonly<Record<string, string>>,
  deps: ContextDeps,
  heartbeat: () => void,
): AttemptContext {
  const instance = { namespace: a.namespace, name: a.instance };
  const owner = instanceOwner(a, uid);
  const log = deps.log.child({
    instance: `${a.namespace}/${a.instance}`,
    task: a.task,
    attempt: a.attempt,
  });
  const buffer = new TraceBuffer();
  const flush = async (): Promise<void> => {
    if (!buffer.takeDirty()) return;
    try {
      await deps.traces.write({ instance, task: a.task, attempt: a.attempt }, owner, buffer);
    } catch (e) {
      // A trace is for reading, not for the outcome: keep the lines, try again later.
      log.warn({ err: String(e) }, 'trace not written');
      buffer.add('(an earlier trace write failed; retried)');
    }
  };
  const timer = setInterval(() => void flush(), TRACE_FLUSH_MS);
  timer.unref();
  const ctx: Omit<ActionContext, 'signal'> = {
    vars,
    instance,
    task: { id: a.task, attempt: a.attempt },
    log,
    heartbeat,
    trace: (message) => {
      buffer.add(message);
      log.debug({ trace: message }, 'trace');
    },
    shareData: {
      get: async (key) => (await deps.shareData.read(instance))[key],
      set: (key, value) => deps.shareData.set(instance, owner, key, value),
    },
    mutex: (key, opts) =>
      new LeaseMutex(deps.coordination, {
        namespace: deps.leaseNamespace,
        key,
        identity: `${deps.worker}.${a.instance}.${a.task}.${a.attempt}`,
        ...opts,
      }),
  };
  return {
    ctx,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
