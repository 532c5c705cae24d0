import { monotonicNow } from './observation.ts';

export type LeaseRenewerOptions = {
  /** Pause before each renewal. */
  intervalMs: number;
  /** How long renewals may fail before `onExpired` is called. */
  deadlineMs: number;
  /**
   * One renewal: resolves true when the Lease was renewed. False or a
   * rejection is a failure, retried after the next pause.
   */
  renew: (signal: AbortSignal) => Promise<boolean>;
  /**
   * Called once when no renewal succeeded for `deadlineMs`, with the error
   * of the last attempt (if it threw); a later success re-arms it. Must not
   * throw.
   */
  onExpired: (lastError: unknown) => void;
  /** Monotonic milliseconds; injectable for tests. */
  now?: () => number;
  /**
   * Patience with an API server that does not answer. A renewal that fails
   * with `is(error)` true (no answer, 5xx: see `isUnreachable`), or is still
   * waiting, says nothing about the Lease; while every renewal since the last
   * success failed so, `onExpired` waits for `boundMs` instead of
   * `deadlineMs`, and `onPatient` says once when `deadlineMs` passed.
   * A renewal that got any other answer ends the patience at once. Without
   * it every failure counts (leader election, mutexes).
   */
  unreachable?: {
    is: (e: unknown) => boolean;
    boundMs: number;
    onPatient?: (lastError: unknown) => void;
  };
};

/**
 * Keeps a held Lease alive: renews it every interval, and says when renewals
 * have failed for a whole deadline. The deadline is a timer, so it fires on
 * time even while a renewal hangs, and it counts from the START of the last
 * successful renewal: the holder gives up no later than the others, whose
 * take-over clock starts when they see the record that renewal wrote.
 */
export class LeaseRenewer {
  readonly #o: LeaseRenewerOptions;
  readonly #now: () => number;
  #stop: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #renewedAt = 0;

  constructor(o: LeaseRenewerOptions) {
    this.#o = o;
    this.#now = o.now ?? monotonicNow;
  }

  /** When (our clock) the last successful renewal began, or the `since` of `start`. */
  get renewedAt(): number {
    return this.#renewedAt;
  }

  /**
   * Renews until `stop()`; `since` is when (our clock) the Lease was last
   * known ours. Resolves once stopped, never rejects.
   */
  start(since: number): Promise<void> {
    this.#stop?.abort(); // a run told to stop that nobody waited for
    const stop = new AbortController();
    this.#stop = stop;
    this.#renewedAt = since;
    this.#loop = this.#run(stop.signal);
    return this.#loop;
  }

  /** Stops renewing, waiting for a renewal in flight to end. */
  async stop(): Promise<void> {
    this.#stop?.abort();
    await this.#loop;
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { intervalMs, renew } = this.#o;
    const deadline = new Deadline(this.#o, this.#now, () => this.#renewedAt);
    signal.addEventListener('abort', deadline.disarm, { once: true });
    deadline.arm();
    try {
      while (!signal.aborted) {
        await pause(intervalMs, signal);
        if (signal.aborted) return;
        const began = this.#now();
        let failure: unknown;
        const renewed = await renew(signal).catch((e: unknown) => {
          failure = e;
          return false;
        });
        if (signal.aborted) return;
        if (renewed) {
          this.#renewedAt = began;
          deadline.renewed();
        } else deadline.failed(failure);
      }
    } finally {
      deadline.disarm();
      signal.removeEventListener('abort', deadline.disarm);
    }
  }
}

/**
 * When to give up: `deadlineMs` after the start of the last success, or
 * `unreachable.boundMs` while no renewal since then got an answer. A timer,
 * so it fires on time even while a renewal hangs; told once per success.
 */
class Deadline {
  readonly #o: LeaseRenewerOptions;
  readonly #now: () => number;
  readonly #renewedAt: () => number;
  #timer: NodeJS.Timeout | undefined;
  #lastError: unknown;
  // Since the last success: a renewal got an answer that was no success.
  #answered = false;
  #patient = false;
  #told = false;

  constructor(o: LeaseRenewerOptions, now: () => number, renewedAt: () => number) {
    this.#o = o;
    this.#now = now;
    this.#renewedAt = renewedAt;
  }

  renewed(): void {
    this.#answered = false;
    this.#patient = false;
    this.#told = false;
    this.#lastError = undefined;
    this.arm();
  }

  failed(e: unknown): void {
    this.#lastError = e;
    const unreachable = this.#o.unreachable;
    if (unreachable && e !== undefined && unreachable.is(e)) return;
    this.#answered = true;
    // Past the deadline only by patience: an answer ends it.
    if (this.#patient) this.#expire();
  }

  readonly disarm = (): void => clearTimeout(this.#timer);

  /** Times the deadline from the last success (the timer, not the clock, says when it passed). */
  arm(): void {
    this.disarm();
    if (this.#told) return;
    const left = this.#renewedAt() + this.#o.deadlineMs - this.#now();
    this.#timer = setTimeout(() => this.#deadlinePassed(), Math.max(0, left));
  }

  #deadlinePassed(): void {
    const { deadlineMs, unreachable } = this.#o;
    if (!unreachable || this.#answered) {
      this.#expire();
      return;
    }
    this.#patient = true;
    unreachable.onPatient?.(this.#lastError);
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, unreachable.boundMs - deadlineMs));
  }

  #expire(): void {
    if (this.#told) return;
    this.disarm();
    this.#told = true;
    this.#o.onExpired(this.#lastError);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. On the global timers, which tests fake. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
