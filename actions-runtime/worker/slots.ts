/**
 * A FIFO concurrency limit: at most `size` jobs run at once, the rest wait
 * in arrival order.
 */
export class Slots {
  readonly #size: number;
  #busy = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    this.#size = size;
  }

  get busy(): number {
    return this.#busy;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#busy >= this.#size) await new Promise<void>((r) => this.#waiting.push(r));
    else this.#busy++;
    try {
      return await job();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#busy--;
    }
  }
}
