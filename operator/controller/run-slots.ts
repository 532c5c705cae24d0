import { instanceFinished } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import { keyOf } from '../kube/types.ts';

/** Where an unfinished instance stands in its Dag's line: priority first, then creation. */
interface Place {
  dag: string;
  started: boolean;
  priority: number;
  created: string;
  key: string;
}

export type Admission = { ok: true } | { ok: false; running: number; ahead: number };

/**
 * Each Dag's unfinished instances, from the instance informer: those that
 * have started (or been admitted by this process and not yet seen started)
 * and those waiting to start, in line by priority (higher first), then
 * creation time, then name. An instance of a Dag with `maxRunningInstances`
 * starts only while fewer run and none is ahead of it in line; admitting it
 * reserves its slot at once (before the write that starts it lands), so two
 * passes running side by side never both take the last slot. A pass that
 * fails after admitting keeps the slot: its retry is first in line anyway,
 * and the slot frees when the instance finishes or is deleted.
 */
export class RunSlots {
  readonly #places = new Map<string, Place>();
  /** Per Dag: its unfinished instances' keys, started or not. */
  readonly #byDag = new Map<string, Set<string>>();
  readonly #reserved = new Set<string>();

  /**
   * Keeps the index in step with the informer. Returns the Dag whose running
   * count may have dropped (an instance of it finished or went), so that its
   * waiting instances are looked at again.
   */
  update(key: string, instance: DagInstance | undefined): string | undefined {
    const before = this.#places.get(key);
    const wasRunning = before !== undefined && (before.started || this.#reserved.has(key));
    this.#drop(key);
    if (instance && !instanceFinished(instance.status?.phase)) {
      const place: Place = {
        dag: keyOf({ namespace: instance.metadata.namespace, name: instance.spec.dagRef.name }),
        started: instance.status?.dagRevision !== undefined,
        priority: instance.spec.priority ?? 0,
        created: instance.metadata.creationTimestamp ?? '',
        key,
      };
      this.#places.set(key, place);
      this.#byDag.set(place.dag, (this.#byDag.get(place.dag) ?? new Set()).add(key));
      if (place.started) this.#reserved.delete(key);
      return undefined;
    }
    this.#reserved.delete(key);
    return wasRunning ? before.dag : undefined;
  }

  /** Whether the instance may start now under `limit`; if so, its slot is taken. */
  admit(key: string, limit: number): Admission {
    const place = this.#places.get(key);
    // Not seen by the informer yet: its event will bring it back here, in line.
    if (place === undefined) return { ok: false, running: 0, ahead: 0 };
    if (place.started || this.#reserved.has(key)) return { ok: true };
    const running = this.running(place.dag);
    const ahead = this.#waitingPlaces(place.dag).filter((p) => inLine(p, place) < 0).length;
    if (running + ahead < limit) {
      this.#reserved.add(key);
      return { ok: true };
    }
    return { ok: false, running, ahead };
  }

  /**
   * The waiting instances of a Dag that may start now: as many as its limit
   * leaves room for, first in line first; all of them when it has no limit
   * (or is gone: they fail to start, saying why).
   */
  startable(dag: string, limit: number | undefined): string[] {
    const waiting = this.waiting(dag);
    return limit === undefined ? waiting : waiting.slice(0, Math.max(0, limit - this.running(dag)));
  }

  running(dag: string): number {
    let n = 0;
    for (const key of this.#byDag.get(dag) ?? []) {
      if (this.#places.get(key)?.started || this.#reserved.has(key)) n++;
    }
    return n;
  }

  /** The Dag's instances waiting to start, first in line first. */
  waiting(dag: string): string[] {
    return this.#waitingPlaces(dag)
      .sort(inLine)
      .map((p) => p.key);
  }

  #waitingPlaces(dag: string): Place[] {
    const places: Place[] = [];
    for (const key of this.#byDag.get(dag) ?? []) {
      const p = this.#places.get(key);
      if (p && !p.started && !this.#reserved.has(key)) places.push(p);
    }
    return places;
  }

  #drop(key: string): void {
    const place = this.#places.get(key);
    if (!place) return;
    this.#places.delete(key);
    const keys = this.#byDag.get(place.dag);
    keys?.delete(key);
    if (keys?.size === 0) this.#byDag.delete(place.dag);
  }
}

function inLine(a: Place, b: Place): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
