/**
 * The heartbeats of one attempt (`ctx.heartbeat()`), turned into at most one
 * report per quarter of the task's `heartbeatTimeoutSecs`: an action may beat
 * in a tight loop and still cost a write every few seconds, while the
 * operator sees at least three beats per timeout window. A task without a
 * heartbeat timeout writes none. Beats after the attempt's outcome is settled
 * are ignored: they would describe an attempt that is over.
 */
export class AttemptHeartbeat {
  readonly #intervalMs: number | undefined;
  readonly #send: (count: number) => void;
  #count = 0;
  #lastSent = -Infinity;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(timeoutSecs: number | undefined, send: (count: number) => void) {
    this.#intervalMs = timeoutSecs ? (timeoutSecs * 1000) / 4 : undefined;
    this.#send = send;
  }

  beat(): void {
    if (this.#closed || this.#intervalMs === undefined || this.#timer) return;
    const wait = Math.max(0, this.#lastSent + this.#intervalMs - performance.now());
    this.#timer = setTimeout(() => this.#flush(), wait);
    this.#timer.unref();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #flush(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    this.#lastSent = performance.now();
    this.#count += 1;
    this.#send(this.#count);
  }
}
