import type { V1Lease } from '@kubernetes/client-node';
import { ACTIONS_ANNOTATION, CAPACITY_ANNOTATION } from '../api/names.ts';
import { WorkerAdvert } from '../api/worker-lease.ts';
import { LeaseObservation, monotonicNow } from '../kube/lease/observation.ts';
import type { Logger } from '../log.ts';

interface WorkerRecord {
  name: string;
  advert: WorkerAdvert;
  leaseDurationMs: number;
  resourceVersion: string;
  /** When we last saw the Lease change, on our own clock. */
  observed: LeaseObservation;
  timer: NodeJS.Timeout | undefined;
}

export interface LiveWorker {
  name: string;
  actions: ReadonlySet<string>;
  capacity: number;
}

export type WorkerChange = { type: 'joined' | 'left'; worker: string };

/**
 * Which workers are alive, from their heartbeat Leases. A worker is alive
 * while its Lease keeps changing: we never compare the remote renewTime with
 * our clock (clock skew), we time how long it has been since we saw a change,
 * as client-go's leader election does. A Lease deleted or released (no
 * holder) means the worker left at once.
 */
export class WorkerRegistry {
  readonly #workers = new Map<string, WorkerRecord>();
  readonly #now: () => number;
  readonly #onChange: (change: WorkerChange) => void;
  readonly #log: Logger;

  constructor(opts: { onChange: (change: WorkerChange) => void; log: Logger; now?: () => number }) {
    this.#onChange = opts.onChange;
    this.#log = opts.log;
    this.#now = opts.now ?? monotonicNow;
  }

  observe(lease: V1Lease): void {
    const name = lease.metadata?.name ?? '';
    const old = this.#workers.get(name);
    const rv = lease.metadata?.resourceVersion ?? '';
    if (old && old.resourceVersion === rv) return;
    const wasLive = old !== undefined && this.#isFresh(old);
    const record = this.#record(name, rv, lease, old?.observed);
    if (!record) {
      this.remove(name);
      return;
    }
    if (old?.timer) clearTimeout(old.timer);
    this.#workers.set(name, record);
    this.#arm(record);
    if (!wasLive || old.advert.actions.join() !== record.advert.actions.join()) {
      this.#onChange({ type: 'joined', worker: name });
    }
  }

  /** The record of a held Lease with a valid advert; undefined when released or unreadable. */
  #record(
    name: string,
    rv: string,
    lease: V1Lease,
    observed = new LeaseObservation(this.#now),
  ): WorkerRecord | undefined {
    if (!lease.spec?.holderIdentity) return undefined;
    const advert = parseAdvert(lease);
    if (!advert.ok) {
      this.#log.warn(
        { worker: name, problem: advert.message },
        'ignoring worker with a bad advert',
      );
      return undefined;
    }
    observed.observe(lease);
    return {
      name,
      advert: advert.value,
      leaseDurationMs: (lease.spec.leaseDurationSeconds ?? 10) * 1000,
      resourceVersion: rv,
      observed,
      timer: undefined,
    };
  }

  remove(name: string): void {
    const old = this.#workers.get(name);
    if (!old) return;
    if (old.timer) clearTimeout(old.timer);
    this.#workers.delete(name);
    this.#onChange({ type: 'left', worker: name });
  }

  live(): LiveWorker[] {
    return [...this.#workers.values()]
      .filter((w) => this.#isFresh(w))
      .map((w) => ({
        name: w.name,
        actions: new Set(w.advert.actions),
        capacity: w.advert.capacity,
      }));
  }

  /**
   * Workers whose Lease has not changed for its duration plus `graceMs`: dead
   * long enough that their Lease can go (with the resourceVersion we saw, so
   * a worker that came back in between keeps it).
   */
  longDead(graceMs: number): Array<{ name: string; resourceVersion: string }> {
    return [...this.#workers.values()]
      .filter((w) => w.observed.unchangedFor(w.leaseDurationMs + graceMs))
      .map((w) => ({ name: w.name, resourceVersion: w.resourceVersion }));
  }

  stop(): void {
    for (const w of this.#workers.values()) if (w.timer) clearTimeout(w.timer);
    this.#workers.clear();
  }

  #isFresh(w: WorkerRecord): boolean {
    return !w.observed.unchangedFor(w.leaseDurationMs);
  }

  /** Fires once the Lease has gone a whole duration without changing. */
  #arm(record: WorkerRecord): void {
    record.timer = setTimeout(() => {
      if (this.#workers.get(record.name) === record) {
        this.#log.info({ worker: record.name }, 'worker lease expired');
        this.#onChange({ type: 'left', worker: record.name });
      }
    }, record.leaseDurationMs + 5);
    record.timer.unref();
  }
}

function parseAdvert(
  lease: V1Lease,
): { ok: true; value: WorkerAdvert } | { ok: false; message: string } {
  const annotations = lease.metadata?.annotations ?? {};
  let actions: unknown;
  try {
    actions = JSON.parse(annotations[ACTIONS_ANNOTATION] ?? '[]');
  } catch {
    return { ok: false, message: `${ACTIONS_ANNOTATION} is not a JSON list` };
  }
  const parsed = WorkerAdvert.safeParse({
    actions,
    capacity: Number(annotations[CAPACITY_ANNOTATION] ?? '1'),
  });
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, message: parsed.error.issues.map((i) => i.message).join('; ') };
}
