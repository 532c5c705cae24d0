import type { V1Lease } from '@kubernetes/client-node';
import { ACTION_SCHEMAS_ANNOTATION } from '../api/action-schemas.ts';
import { ACTIONS_ANNOTATION, CAPACITY_ANNOTATION } from '../api/names.ts';
import { API_OUTAGE_TOLERANCE_MS, WorkerAdvert } from '../api/worker-lease.ts';
import { LeaseObservation, monotonicNow } from '../kube/lease/observation.ts';
import type { Logger } from '../log.ts';

interface WorkerRecord {
  name: string;
  advert: WorkerAdvert;
  /** The advert's actions as a set, made once per Lease change rather than once per pass. */
  actions: ReadonlySet<string>;
  leaseDurationMs: number;
  resourceVersion: string;
  /** When we last saw the Lease change, on our own clock. */
  observed: LeaseObservation;
  timer: NodeJS.Timeout | undefined;
  /** Declared dead ('left' told) since its Lease last changed. */
  left: boolean;
  /** When it was declared dead (our clock). */
  leftAt?: number;
  /** We saw its Lease change at least once after we first read it: it was alive in our time. */
  renewed: boolean;
}

export interface LiveWorker {
  name: string;
  actions: ReadonlySet<string>;
  capacity: number;
  /** The ConfigMap of its actions' schemas, if it published one. */
  schemas?: string;
}

export type WorkerChange = { type: 'joined' | 'left'; worker: string };

// How often a silent worker that is not declared dead yet (we are blind, or
// most workers went silent together) is judged again.
const RECHECK_MS = 1000;

/**
 * Which workers are alive, from their heartbeat Leases. A worker is alive
 * while its Lease keeps changing: we never compare the remote renewTime with
 * our clock (clock skew), we time how long it has been since we saw a change,
 * as client-go's leader election does. A Lease deleted or released (no
 * holder) means the worker left at once.
 *
 * Silence is a verdict only when we can see: while the Lease watch fails
 * (`sight(false)`) nobody is declared dead, and once it works again every
 * Lease's clock starts anew. When most workers go silent together (at least
 * two, more than half of those we saw renew, each silent for half a duration), the API server is
 * the likelier culprit, as the node controller assumes: they are declared
 * dead only after `holdMs` of that.
 */
export class WorkerRegistry {
  readonly #workers = new Map<string, WorkerRecord>();
  readonly #now: () => number;
  readonly #onChange: (change: WorkerChange) => void;
  readonly #log: Logger;
  readonly #holdMs: number;
  #seeing = true;
  #silentTogetherSince: number | undefined;

  constructor(opts: {
    onChange: (change: WorkerChange) => void;
    log: Logger;
    now?: () => number;
    /** How long most workers may be silent together before they are declared dead. */
    holdMs?: number;
  }) {
    this.#onChange = opts.onChange;
    this.#log = opts.log;
    this.#now = opts.now ?? monotonicNow;
    this.#holdMs = opts.holdMs ?? API_OUTAGE_TOLERANCE_MS;
  }

  /** Whether our Lease watch sees the API server (the informer's `onSight`). */
  sight(seeing: boolean): void {
    if (seeing === this.#seeing) return;
    this.#seeing = seeing;
    if (!seeing) {
      this.#log.warn('cannot see the API server: no worker is declared dead meanwhile');
      return;
    }
    this.#log.info('the API server is visible again: every worker Lease gets a full duration');
    this.#silentTogetherSince = undefined;
    for (const w of this.#workers.values()) {
      if (w.left) continue; // declared dead while we could see: that verdict stands
      w.observed.restart();
      this.#arm(w);
    }
  }

  observe(lease: V1Lease): void {
    const name = lease.metadata?.name ?? '';
    const old = this.#workers.get(name);
    const rv = lease.metadata?.resourceVersion ?? '';
    if (old && old.resourceVersion === rv) return;
    const wasLive = old !== undefined && !old.left;
    const record = this.#record(name, rv, lease, old?.observed);
    if (!record) {
      this.remove(name);
      return;
    }
    if (old?.timer) clearTimeout(old.timer);
    // A Lease read again with a new version has been renewed while we watched.
    record.renewed = old !== undefined;
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
      actions: new Set(advert.value.actions),
      leaseDurationMs: (lease.spec.leaseDurationSeconds ?? 10) * 1000,
      resourceVersion: rv,
      observed,
      timer: undefined,
      left: false,
      renewed: false,
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
    const spared = this.#spared();
    return [...this.#workers.values()]
      .filter((w) => this.#isAlive(w, spared))
      .map((w) => ({
        name: w.name,
        actions: w.actions,
        capacity: w.advert.capacity,
        ...(w.advert.schemas ? { schemas: w.advert.schemas } : {}),
      }));
  }

  /**
   * Workers whose Lease has not changed for its duration plus `graceMs`: dead
   * long enough that their Lease can go (with the resourceVersion we saw, so
   * a worker that came back in between keeps it).
   */
  longDead(graceMs: number): Array<{ name: string; resourceVersion: string }> {
    if (!this.#seeing) return [];
    return [...this.#workers.values()]
      .filter((w) => w.observed.unchangedFor(w.leaseDurationMs + graceMs))
      .map((w) => ({ name: w.name, resourceVersion: w.resourceVersion }));
  }

  /** The schema ConfigMaps the held Leases name, live or not; undefined while we cannot see. */
  schemasNamed(): ReadonlySet<string> | undefined {
    if (!this.#seeing) return undefined;
    return new Set([...this.#workers.values()].flatMap((w) => w.advert.schemas ?? []));
  }

  stop(): void {
    for (const w of this.#workers.values()) if (w.timer) clearTimeout(w.timer);
    this.#workers.clear();
  }

  #isFresh(w: WorkerRecord): boolean {
    return !w.observed.unchangedFor(w.leaseDurationMs);
  }

  /**
   * Alive: its Lease changed within a duration, or its silence is no verdict
   * (`spared`) and it was not declared dead before.
   */
  #isAlive(w: WorkerRecord, spared: boolean): boolean {
    return (spared && !w.left) || this.#isFresh(w);
  }

  /**
   * Whether silence is no verdict now: we cannot see the API server, or most
   * workers went silent together less than `holdMs` ago.
   */
  #spared(): boolean {
    if (!this.#seeing) return true;
    // Workers declared dead before the silence began do not count: their Leases
    // stay until collected, and would make one more death look like an outage.
    const since = this.#silentTogetherSince ?? Infinity;
    let silent = 0;
    let counted = 0;
    for (const w of this.#workers.values()) {
      if (w.left && (w.leftAt ?? 0) < since) continue;
      // Nor do Leases we never saw renewed: a new leader reads the Leases of
      // workers that died before it started, and their silence is old.
      if (!w.renewed) continue;
      counted++;
      if (w.observed.unchangedFor(w.leaseDurationMs / 2)) silent++;
    }
    if (silent < 2 || silent * 2 <= counted) {
      if (this.#silentTogetherSince !== undefined) this.#silenceEnded();
      return false;
    }
    if (this.#silentTogetherSince === undefined) {
      this.#silentTogetherSince = this.#now();
      this.#log.warn(
        { silent, workers: this.#workers.size, holdSecs: this.#holdMs / 1000 },
        'most worker Leases went silent together: suspecting the API server, not the workers',
      );
    }
    return this.#now() - this.#silentTogetherSince < this.#holdMs;
  }

  /**
   * Most workers renew again: the outage is over, and those still silent
   * get a full duration from now (workers come back one by one).
   */
  #silenceEnded(): void {
    this.#silentTogetherSince = undefined;
    this.#log.info('worker Leases change again: the silent ones get a full duration');
    for (const w of this.#workers.values()) {
      if (w.left || !w.observed.unchangedFor(w.leaseDurationMs / 2)) continue;
      w.observed.restart();
      this.#arm(w);
    }
  }

  /** Fires once the Lease has gone a whole duration without changing; judges it then. */
  #arm(record: WorkerRecord, delayMs = record.leaseDurationMs + 5): void {
    if (record.timer) clearTimeout(record.timer);
    record.timer = setTimeout(() => {
      if (this.#workers.get(record.name) !== record) return;
      // First: judging the silence may end it, which restarts this clock.
      const spared = this.#spared();
      if (this.#isFresh(record)) {
        // Its clock started again (sight regained, silence ended) without a new record.
        this.#arm(record);
      } else if (spared) {
        this.#arm(record, RECHECK_MS);
      } else {
        this.#log.info({ worker: record.name }, 'worker lease expired');
        record.left = true;
        record.leftAt = this.#now();
        this.#onChange({ type: 'left', worker: record.name });
      }
    }, delayMs);
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
    schemas: annotations[ACTION_SCHEMAS_ANNOTATION],
  });
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, message: parsed.error.issues.map((i) => i.message).join('; ') };
}
