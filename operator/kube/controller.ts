import type { Logger } from '../log.ts';
import { TerminalError } from './errors.ts';
import { WorkQueue, type WorkQueueOptions } from './work-queue.ts';

/** What a reconcile asks for besides "done": to be run again after a delay. */
export type ReconcileResult = { requeueAfterMs?: number };

export type ReconcileOutcome = 'success' | 'requeue' | 'error' | 'terminal';

export type ControllerOptions = {
  /** Names the controller in logs and metrics. */
  name: string;
  /** Reconcile loops running at once; one key is never in two of them. */
  concurrency: number;
  /**
   * Level-based: given only the key, read the world and converge it. Throw a
   * `TerminalError` for input that retrying cannot fix; any other throw is
   * retried with per-key exponential backoff.
   */
  reconcile: (key: string, signal: AbortSignal) => Promise<ReconcileResult>;
  logger: Logger;
  /** Called once per pass with its outcome and duration: metrics. */
  onResult?: (result: ReconcileOutcome, ms: number) => void;
  /** The log field that carries the key (default `key`; e.g. `instance`, to match other lines). */
  logKey?: string;
  queue?: WorkQueueOptions;
};

/**
 * Runs `concurrency` reconcile loops over one WorkQueue, with the four exits
 * of controller-runtime's reconcileHandler (style.md §1):
 * - TerminalError → log, forget, no retry;
 * - other error → addRateLimited (backoff 5 ms → 1000 s per key);
 * - `requeueAfterMs` → forget the backoff, addAfter;
 * - success → forget.
 * Nothing a reconcile does can crash the process: every throw is caught.
 */
export class Controller {
  readonly #opts: ControllerOptions;
  readonly #queue: WorkQueue;
  readonly #log: Logger;
  readonly #logKey: string;
  #loops: Array<Promise<void>> = [];

  constructor(opts: ControllerOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
      throw new RangeError(`controller ${opts.name}: concurrency must be a positive integer`);
    }
    this.#opts = opts;
    this.#queue = new WorkQueue(opts.queue);
    this.#logKey = opts.logKey ?? 'key';
    // Callers often bind `controller` already; a second binding would repeat the key.
    this.#log =
      opts.logger.bindings()['controller'] === undefined
        ? opts.logger.child({ controller: opts.name })
        : opts.logger;
  }

  /** Keys waiting to be handed to a loop (not counting delayed or in-flight ones). */
  depth(): number {
    return this.#queue.len();
  }

  enqueue(key: string): void {
    this.#queue.add(key);
  }

  /** Starts the loops; they stop (after their current pass) when `signal` aborts. */
  start(signal: AbortSignal): void {
    if (this.#loops.length > 0) throw new Error(`controller ${this.#opts.name} already started`);
    if (signal.aborted) this.#queue.shutDown();
    else signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    for (let i = 0; i < this.#opts.concurrency; i++) this.#loops.push(this.#loop(signal));
  }

  /** Stops taking keys and waits for the passes in flight to finish. */
  async stop(): Promise<void> {
    this.#queue.shutDown();
    await Promise.all(this.#loops);
  }

  async #loop(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.#queue.get();
      if (key === undefined) return;
      try {
        await this.#process(key, signal);
      } finally {
        this.#queue.done(key);
      }
    }
  }

  async #process(key: string, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    let outcome: ReconcileOutcome;
    try {
      const result = await this.#opts.reconcile(key, signal);
      this.#queue.forget(key);
      // `?.`: a reconcile in plain JS may resolve to nothing.
      const after = result?.requeueAfterMs;
      if (after !== undefined) {
        this.#queue.addAfter(key, after);
        outcome = 'requeue';
      } else {
        outcome = 'success';
      }
    } catch (e) {
      outcome = this.#failed(key, e, signal);
    }
    const ms = performance.now() - started;
    try {
      this.#opts.onResult?.(outcome, ms);
    } catch (e) {
      this.#log.error({ err: e }, 'onResult hook threw');
    }
  }

  #failed(key: string, e: unknown, signal: AbortSignal): ReconcileOutcome {
    if (e instanceof TerminalError) {
      this.#queue.forget(key);
      this.#log.error(
        { [this.#logKey]: key, err: e },
        'reconcile failed permanently; not retrying',
      );
      return 'terminal';
    }
    this.#queue.addRateLimited(key);
    if (signal.aborted) {
      // Shutting down: the abort surfaces as an error from whatever was in flight.
      this.#log.debug({ [this.#logKey]: key, err: e }, 'reconcile interrupted by shutdown');
    } else {
      this.#log.warn(
        { [this.#logKey]: key, err: e, retries: this.#queue.numRequeues(key) },
        'reconcile failed; will retry',
      );
    }
    return 'error';
  }
}
