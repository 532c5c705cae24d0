import { Worker } from 'node:worker_threads';

export type JqRequest = { id: number; input: unknown; query: string };
export type JqReply =
  | { id: number; ok: true; results: unknown[] }
  | { id: number; ok: false; compileError: boolean; message: string };

/** Why an evaluation did not produce results. */
export class JqFailure extends Error {
  readonly kind: 'compile' | 'runtime' | 'timeout';
  constructor(kind: JqFailure['kind'], message: string) {
    super(message);
    this.name = 'JqFailure';
    this.kind = kind;
  }
}

/**
 * Runs jq (real jq 1.8, compiled to WebAssembly by `jq-wasm`) in one
 * background thread per process, one expression at a time. jq runs
 * synchronously, so an expression that does not end (`repeat(1)`) would stall
 * the worker's event loop and with it its heartbeat: here the thread is
 * terminated when an evaluation passes `timeoutMs` or its signal aborts, and
 * the next evaluation starts a fresh one.
 */
export class JqRunner {
  #thread: Worker | undefined;
  #nextId = 0;
  #queue: Promise<unknown> = Promise.resolve();

  /** All of the expression's results, in order. Rejects with a JqFailure or the signal's reason. */
  evaluate(
    input: unknown,
    query: string,
    opts: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<unknown[]> {
    const run = this.#queue.then(() => this.#evaluateNow(input, query, opts));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the thread (tests; a worker process just exits). */
  async close(): Promise<void> {
    const thread = this.#thread;
    this.#thread = undefined;
    await thread?.terminate();
  }

  #evaluateNow(
    input: unknown,
    query: string,
    opts: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<unknown[]> {
    opts.signal?.throwIfAborted();
    const thread = this.#startThread();
    const id = ++this.#nextId;
    return new Promise<unknown[]>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        thread.off('message', onMessage);
        thread.off('error', onError);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      const kill = (why: Error): void => {
        done();
        if (this.#thread === thread) this.#thread = undefined;
        void thread.terminate();
        reject(why);
      };
      const onMessage = (reply: JqReply): void => {
        if (reply.id !== id) return;
        done();
        if (reply.ok) resolve(reply.results);
        else reject(new JqFailure(reply.compileError ? 'compile' : 'runtime', reply.message));
      };
      const onError = (e: Error): void => kill(e);
      const onAbort = (): void => {
        const reason: unknown = opts.signal?.reason;
        kill(reason instanceof Error ? reason : new Error(String(reason)));
      };
      const timer = setTimeout(
        () => kill(new JqFailure('timeout', `ran longer than ${opts.timeoutMs} ms`)),
        opts.timeoutMs,
      );
      thread.on('message', onMessage);
      thread.on('error', onError);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      thread.postMessage({ id, input, query } satisfies JqRequest);
    });
  }

  #startThread(): Worker {
    if (this.#thread) return this.#thread;
    const thread = new Worker(new URL('./jq-thread.ts', import.meta.url));
    // An idle thread must not keep a finished process alive.
    thread.unref();
    thread.on('exit', () => {
      if (this.#thread === thread) this.#thread = undefined;
    });
    this.#thread = thread;
    return thread;
  }
}
