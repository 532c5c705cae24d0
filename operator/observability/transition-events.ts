import { DagStatus } from '../api/dag.ts';
import type { DagInstance } from '../api/objects.ts';
import { dagEvents, instanceEvents } from '../core/instance-events.ts';
import type { InformerEvent } from '../kube/informer.ts';
import type { KubeObject } from '../kube/types.ts';
import type { EventRecorder } from './events.ts';

/** The part of an Informer this needs. */
type Watched<T> = { onEvent(handler: (ev: InformerEvent<T>) => void): void };

export interface TransitionSources {
  /** Raw: a Dag whose status does not parse records nothing. */
  dags: Watched<KubeObject>;
  /** Parsed by their informer (`instanceInformer`). */
  instances: Watched<DagInstance>;
  recorder: EventRecorder;
  /** Events are recorded only while this holds (the leader): one replica reports. */
  active: () => boolean;
}

/**
 * Records an Event for each transition of a Dag or DagInstance status, from
 * the informers' view of every change: the object before and after it. Task
 * failures are written by workers, not by the operator, so comparing the
 * status before and after a reconcile pass would never see them; the watch
 * sees every writer's change exactly once. A replica that was not leader
 * when a change arrived records nothing for it, and a cache being filled
 * (adds, resyncs) records nothing: only real before/after pairs count.
 */
export function recordTransitions(s: TransitionSources): void {
  s.instances.onEvent((ev) => {
    const pair = s.active() ? statuses(ev, (instance) => instance.status ?? {}) : undefined;
    if (pair) s.recorder.record(ev.obj, instanceEvents(pair.before, pair.after));
  });
  s.dags.onEvent((ev) => {
    const pair = s.active() ? statuses(ev, dagStatusOf) : undefined;
    if (pair) s.recorder.record(ev.obj, dagEvents(pair.before, pair.after));
  });
}

function dagStatusOf(dag: KubeObject): DagStatus | undefined {
  const parsed = DagStatus.safeParse(dag['status'] ?? {});
  return parsed.success ? parsed.data : undefined;
}

/**
 * The statuses before and after an update of the same object (a delete and
 * re-create under the same name is not a transition), when both are known.
 */
function statuses<T extends KubeObject, S>(
  ev: InformerEvent<T>,
  statusOf: (obj: T) => S | undefined,
): { before: S; after: S } | undefined {
  const old = ev.old;
  if (ev.type !== 'update' || !old || old.metadata?.uid !== ev.obj.metadata?.uid) return undefined;
  if (old['status'] === ev.obj['status']) return undefined;
  const before = statusOf(old);
  const after = statusOf(ev.obj);
  return before && after ? { before, after } : undefined;
}
