/**
 * A work queue of object keys with controller-runtime / client-go semantics
 * (style.md §1):
 * - a key waiting in the queue is stored once: bursts of events collapse;
 * - a key is never handed to two consumers at once: re-added while being
 *   processed, it is marked dirty and handed out again after `done`;
 * - `addAfter` delays an add (the earliest pending time wins);
 * - `addRateLimited` delays by a per-key exponential backoff that `forget`
 *   resets (call it when the key succeeded).
 * Keys come out in FIFO order of their (first) add.
 */
export type WorkQueueOptions = {
  /** First retry delay of `addRateLimited`. Default 5 ms. */
  baseDelayMs?: number;
  /** Cap of the exponential backoff. Default 1000 s. */
  maxDelayMs?: number;
  /**
   * Called each time a key is handed out, with how long it waited in the
   * queue since it became ready (its first add, or the end of its delay or of
   * the pass during which it was re-added): metrics. A throw is ignored.
   */
  onHandOut?: (waitedMs: number) => void;
};

type Delayed = { readyAt: number; timer: NodeJS.Timeout };

export class WorkQueue {
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #onHandOut: ((waitedMs: number) => void) | undefined;
  // When each key in #queue became ready (only kept with an onHandOut hook).
  readonly #readySince = new Map<string, number>();
  // Keys ready to hand out, in order; every one of them is also in #dirty.
  #queue: string[] = [];
  // Keys that need processing: waiting in #queue, or re-added while processing.
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #waiters: Array<(key: string | undefined) => void> = [];
  readonly #delayed = new Map<string, Delayed>();
  readonly #failures = new Map<string, number>();
  #shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.#baseDelayMs = opts.baseDelayMs ?? 5;
    this.#maxDelayMs = opts.maxDelayMs ?? 1_000_000;
    this.#onHandOut = opts.onHandOut;
  }

  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return; // comes back on done()
    this.#push(key);
  }

  /**
   * The next ready key, marked as processing until `done(key)`. Undefined once
   * the queue is shut down (keys still waiting are dropped then).
   */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Ends the processing of `key`; a key re-added meanwhile is queued again. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#push(key);
  }

  /** Adds `key` after `ms`; if it is already scheduled, the earlier time wins. */
  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const readyAt = Date.now() + ms;
    const existing = this.#delayed.get(key);
    if (existing && existing.readyAt <= readyAt) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, ms);
    // Pending retries must not keep a finished process alive.
    timer.unref();
    this.#delayed.set(key, { readyAt, timer });
  }

  /** Adds `key` after its backoff: base·2^failures, capped; each call counts a failure. */
  addRateLimited(key: string): void {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    this.addAfter(key, Math.min(this.#baseDelayMs * 2 ** failures, this.#maxDelayMs));
  }

  /** Resets the backoff of `key` (it succeeded, or gave up for good). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** How many times `key` was rate-limited since the last `forget`. */
  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Keys ready to be handed out (not counting delayed or processing ones). */
  len(): number {
    return this.#queue.length;
  }

  /** Stops the queue: waiting and future `get()`s resolve undefined, timers are cleared. */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const { timer } of this.#delayed.values()) clearTimeout(timer);
    this.#delayed.clear();
    this.#queue = [];
    this.#readySince.clear();
    this.#dirty.clear();
    for (const resolve of this.#waiters.splice(0)) resolve(undefined);
  }

  #push(key: string): void {
    this.#queue.push(key);
    if (this.#onHandOut) this.#readySince.set(key, performance.now());
    this.#handOut();
  }

  #take(): string | undefined {
    const key = this.#queue.shift();
    if (key === undefined) return undefined;
    this.#dirty.delete(key);
    this.#processing.add(key);
    const since = this.#readySince.get(key);
    if (since !== undefined) {
      this.#readySince.delete(key);
      try {
        this.#onHandOut?.(performance.now() - since);
      } catch {
        // A metrics hook must never wedge the queue: the key is already processing.
      }
    }
    return key;
  }

  // The key is marked processing at hand-out time, not when the waiter's
  // promise runs, so an add() in between already sees it as processing.
  #handOut(): void {
    while (this.#waiters.length > 0 && this.#queue.length > 0) {
      const resolve = this.#waiters.shift();
      resolve?.(this.#take());
    }
  }
}
