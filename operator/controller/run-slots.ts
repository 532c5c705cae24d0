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
  /** Per Dag: its unfinished instances, kept as the admissions read them (no scan). */
  readonly #lines = new Map<string, Line>();
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
      if (place.started) this.#reserved.delete(key);
      this.#places.set(key, place);
      const line = this.#lines.get(place.dag) ?? new Line();
      this.#lines.set(place.dag, line);
      line.add(place, place.started || this.#reserved.has(key));
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
    const line = this.#lines.get(place.dag);
    const running = line?.running.size ?? 0;
    const ahead = line?.ahead(place) ?? 0;
    if (running + ahead < limit) {
      this.#reserved.add(key);
      line?.remove(place);
      line?.add(place, true);
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
    const waiting = this.#lines.get(dag)?.waiting ?? [];
    const room = limit === undefined ? waiting.length : Math.max(0, limit - this.running(dag));
    return waiting.slice(0, room).map((p) => p.key);
  }

  running(dag: string): number {
    return this.#lines.get(dag)?.running.size ?? 0;
  }

  /** The Dag's instances waiting to start, first in line first. */
  waiting(dag: string): string[] {
    return (this.#lines.get(dag)?.waiting ?? []).map((p) => p.key);
  }

  #drop(key: string): void {
    const place = this.#places.get(key);
    if (!place) return;
    this.#places.delete(key);
    const line = this.#lines.get(place.dag);
    line?.remove(place);
    if (line?.empty) this.#lines.delete(place.dag);
  }
}

/**
 * One Dag's unfinished instances: the keys of those running (started, or
 * admitted here and not yet seen started), and those waiting, kept in line
 * order, so an admission counts both in O(log n) rather than by a scan.
 */
class Line {
  readonly running = new Set<string>();
  readonly waiting: Place[] = [];

  get empty(): boolean {
    return this.running.size === 0 && this.waiting.length === 0;
  }

  add(place: Place, running: boolean): void {
    if (running) this.running.add(place.key);
    else this.waiting.splice(this.#index(place), 0, place);
  }

  remove(place: Place): void {
    if (this.running.delete(place.key)) return;
    const i = this.#index(place);
    if (this.waiting[i]?.key === place.key) this.waiting.splice(i, 1);
  }

  /** How many waiting instances are ahead of `place` in line. */
  ahead(place: Place): number {
    return this.#index(place);
  }

  /** The first position whose place is not ahead of `place` (the order is total: keys differ). */
  #index(place: Place): number {
    let [lo, hi] = [0, this.waiting.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (inLine(this.waiting[mid]!, place) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function inLine(a: Place, b: Place): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
