import { DagStatus } from '../api/dag.ts';
import { DagInstanceStatus } from '../api/dag-instance.ts';
import { dagEvents, instanceEvents } from '../core/transitions.ts';
import type { InformerEvent } from '../kube/informer.ts';
import type { KubeObject } from '../kube/types.ts';
import type { EventRecorder } from './events.ts';

/** The part of an Informer this needs. */
type Watched = { onEvent(handler: (ev: InformerEvent<KubeObject>) => void): void };

export interface TransitionSources {
  dags: Watched;
  instances: Watched;
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
    const pair = s.active() ? statuses(ev, DagInstanceStatus) : undefined;
    if (pair) s.recorder.record(ev.obj, instanceEvents(pair.before, pair.after));
  });
  s.dags.onEvent((ev) => {
    const pair = s.active() ? statuses(ev, DagStatus) : undefined;
    if (pair) s.recorder.record(ev.obj, dagEvents(pair.before, pair.after));
  });
}

type Schema<T> = { safeParse(v: unknown): { success: true; data: T } | { success: false } };

/**
 * The statuses before and after an update of the same object (a delete and
 * re-create under the same name is not a transition), when both parse.
 */
function statuses<T>(
  ev: InformerEvent<KubeObject>,
  schema: Schema<T>,
): { before: T; after: T } | undefined {
  const old = ev.old;
  if (ev.type !== 'update' || !old || old.metadata?.uid !== ev.obj.metadata?.uid) return undefined;
  if (old['status'] === ev.obj['status']) return undefined;
  const before = schema.safeParse(old['status'] ?? {});
  const after = schema.safeParse(ev.obj['status'] ?? {});
  return before.success && after.success ? { before: before.data, after: after.data } : undefined;
}
