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
    const { intervalMs, deadlineMs, renew, onExpired } = this.#o;
    let lastError: unknown;
    let deadline: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(deadline);
      const left = this.#renewedAt + deadlineMs - this.#now();
      deadline = setTimeout(() => onExpired(lastError), left);
    };
    const disarm = (): void => clearTimeout(deadline);
    signal.addEventListener('abort', disarm, { once: true });
    arm();
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
        lastError = failure;
        if (renewed) {
          this.#renewedAt = began;
          arm();
        }
      }
    } finally {
      disarm();
      signal.removeEventListener('abort', disarm);
    }
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
