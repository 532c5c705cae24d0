import type { EventsV1Api, EventsV1Event } from '@kubernetes/client-node';
import type { EventReason, PlannedEvent } from '../core/instance-events.ts';
import { toKubeError } from '../kube/errors.ts';
import { toMicroTime } from '../kube/time.ts';
import type { KubeObject } from '../kube/types.ts';
import type { Logger } from '../log.ts';

/** events.k8s.io/v1 refuses a longer note (counted in bytes) or reportingInstance. */
const NOTE_MAX_BYTES = 1024;
const INSTANCE_MAX = 128;
const DEFAULT_MAX_IN_FLIGHT = 100;

export interface EventRecorderOptions {
  events: EventsV1Api;
  /** `reportingController`, e.g. `fastflow.io/operator`. */
  controller: string;
  /** `reportingInstance`: which replica (its identity). */
  instance: string;
  log: Logger;
  /** Called once per Event with what became of it: metrics. */
  onResult?: (reason: EventReason, result: 'written' | 'failed' | 'dropped') => void;
  /** Writes in flight at most; beyond it an Event is dropped (and counted), never queued. */
  maxInFlight?: number;
  now?: () => Date;
}

/**
 * Records Kubernetes Events (events.k8s.io/v1) about objects, in the
 * background: `record` never throws and never waits, a write that fails is
 * logged and counted, and nothing about it can fail a reconcile. A storm of
 * Events is cut at `maxInFlight` writes rather than queued without bound:
 * Events are for people reading `kubectl events`, not a record to keep.
 */
export class EventRecorder {
  readonly #o: EventRecorderOptions;
  readonly #inFlight = new Set<Promise<void>>();
  #dropping = false;
  #seq = 0;

  constructor(opts: EventRecorderOptions) {
    this.#o = opts;
  }

  record(regarding: KubeObject, events: readonly PlannedEvent[]): void {
    for (const event of events) {
      if (this.#inFlight.size >= (this.#o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT)) {
        if (!this.#dropping) this.#o.log.warn('too many Event writes in flight: dropping Events');
        this.#dropping = true;
        this.#o.onResult?.(event.reason, 'dropped');
        continue;
      }
      this.#dropping = false;
      const write = this.#write(regarding, event).finally(() => this.#inFlight.delete(write));
      this.#inFlight.add(write);
    }
  }

  /** Resolves once every write started so far has finished (for a clean stop). */
  async flush(): Promise<void> {
    await Promise.all([...this.#inFlight]);
  }

  async #write(regarding: KubeObject, event: PlannedEvent): Promise<void> {
    const body = this.eventBody(regarding, event);
    const namespace = body.metadata?.namespace ?? '';
    try {
      await this.#o.events.createNamespacedEvent({ namespace, body });
      this.#o.onResult?.(event.reason, 'written');
    } catch (e) {
      this.#o.onResult?.(event.reason, 'failed');
      this.#o.log.warn(
        {
          err: toKubeError(e),
          reason: event.reason,
          regarding: `${namespace}/${body.regarding?.name}`,
        },
        'could not record an Event',
      );
    }
  }

  /** The Event object written for `event` about `regarding` (exposed for tests). */
  eventBody(regarding: KubeObject, event: PlannedEvent): EventsV1Event {
    const meta = regarding.metadata ?? {};
    const name = meta.name ?? 'unknown';
    const now = (this.#o.now ?? (() => new Date()))();
    this.#seq = (this.#seq + 1) % 4096;
    return {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: eventName(name, now, this.#seq), namespace: meta.namespace },
      eventTime: toMicroTime(now),
      reportingController: this.#o.controller,
      reportingInstance: this.#o.instance.slice(0, INSTANCE_MAX),
      action: event.action,
      reason: event.reason,
      type: event.type,
      note: cutNote(event.note),
      regarding: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
    };
  }
}

/**
 * `<object name>.<time and sequence in hex>`, as client-go names Events
 * (`generateName` cannot be used: `name.` is not a valid prefix). A name too
 * long for the 253 characters is shortened to end on a letter or digit.
 */
export function eventName(object: string, now: Date, seq: number): string {
  const suffix = `${now.getTime().toString(16)}${seq.toString(16).padStart(3, '0')}`;
  const base = object.slice(0, 253 - 1 - suffix.length).replace(/[-.]+$/, '');
  return `${base}.${suffix}`;
}

/** The note within the API's byte limit, cut with an ellipsis. */
export function cutNote(note: string): string {
  if (Buffer.byteLength(note) <= NOTE_MAX_BYTES) return note;
  let cut = note.slice(0, NOTE_MAX_BYTES - 3);
  while (Buffer.byteLength(cut) > NOTE_MAX_BYTES - 3) cut = cut.slice(0, -1);
  return `${cut}…`;
}
