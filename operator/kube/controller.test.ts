import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../log.ts';
import { Controller, type ReconcileOutcome, type ReconcileResult } from './controller.ts';
import { TerminalError } from './errors.ts';

function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 1));
  }
}

type Reconcile = (key: string, signal: AbortSignal) => Promise<ReconcileResult>;

function makeController(
  reconcile: Reconcile,
  extra: { concurrency?: number; logger?: Logger } = {},
) {
  const results: ReconcileOutcome[] = [];
  // Recorded, not asserted here: the controller logs what onResult throws.
  const durations: number[] = [];
  const controller = new Controller({
    name: 'test',
    concurrency: extra.concurrency ?? 1,
    reconcile,
    logger: extra.logger ?? silentLogger(),
    onResult: (r, ms) => {
      durations.push(ms);
      results.push(r);
    },
    queue: { baseDelayMs: 1, maxDelayMs: 20 },
  });
  const ac = new AbortController();
  controller.start(ac.signal);
  return { controller, results, durations, ac };
}

describe('Controller', () => {
  it('reconciles enqueued keys and reports success', async () => {
    const seen: string[] = [];
    const { controller, results, durations } = makeController((key) => {
      seen.push(key);
      return Promise.resolve({});
    });
    controller.enqueue('ns/a');
    controller.enqueue('ns/b');
    await until(() => results.length === 2);
    expect(seen).toEqual(['ns/a', 'ns/b']);
    expect(results).toEqual(['success', 'success']);
    expect(durations).toHaveLength(2);
    for (const ms of durations) expect(ms).toBeGreaterThanOrEqual(0);
    await controller.stop();
  });

  it('runs up to `concurrency` different keys at once, one key never twice at once', async () => {
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    const perKey = new Map<string, number>();
    // Recorded and asserted below: what reconcile throws, the controller catches.
    let maxPerKey = 0;
    const runs: string[] = [];
    const { controller, results } = makeController(
      async (key) => {
        runs.push(key);
        running++;
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
        maxRunning = Math.max(maxRunning, running);
        maxPerKey = Math.max(maxPerKey, perKey.get(key) ?? 0);
        await gate.promise;
        perKey.set(key, (perKey.get(key) ?? 0) - 1);
        running--;
        return {};
      },
      { concurrency: 3 },
    );
    for (const k of ['a', 'b', 'c', 'd']) controller.enqueue(k);
    await until(() => running === 3);
    controller.enqueue('a'); // dirty while running: runs again afterwards
    gate.resolve();
    await until(() => results.length === 5);
    expect(results).toEqual(Array(5).fill('success'));
    expect(maxRunning).toBe(3);
    expect(maxPerKey).toBe(1);
    expect(runs.filter((k) => k === 'a')).toHaveLength(2);
    await controller.stop();
  });

  it('retries a failing key with backoff until it succeeds', async () => {
    let attempts = 0;
    const { controller, results } = makeController(() => {
      attempts++;
      return attempts < 4 ? Promise.reject(new Error('transient')) : Promise.resolve({});
    });
    controller.enqueue('a');
    await until(() => results.length === 4);
    expect(results).toEqual(['error', 'error', 'error', 'success']);
    await controller.stop();
  });

  it('does not retry a TerminalError and logs it', async () => {
    const { logger, lines } = capturingLogger();
    let attempts = 0;
    const { controller, results } = makeController(
      () => {
        attempts++;
        return Promise.reject(new TerminalError('spec.tasks[0]: unknown action'));
      },
      { logger },
    );
    controller.enqueue('a');
    await until(() => results.length === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(attempts).toBe(1);
    expect(results).toEqual(['terminal']);
    expect(lines.find((l) => l['key'] === 'a' && l['level'] === 50)).toBeDefined();
    await controller.stop();
  });

  it('logs the key under logKey, and reports the queue depth', async () => {
    const { logger, lines } = capturingLogger();
    const gate = deferred();
    const controller = new Controller({
      name: 'test',
      concurrency: 1,
      logKey: 'instance',
      logger,
      reconcile: async (key) => {
        if (key === 'busy') await gate.promise;
        throw new TerminalError('bad');
      },
    });
    const ac = new AbortController();
    controller.start(ac.signal);
    controller.enqueue('busy');
    await new Promise((r) => setTimeout(r, 5));
    controller.enqueue('a');
    controller.enqueue('b');
    expect(controller.depth()).toBe(2);
    gate.resolve();
    await until(() => lines.filter((l) => l['level'] === 50).length === 3);
    expect(controller.depth()).toBe(0);
    expect(lines.find((l) => l['instance'] === 'a' && l['key'] === undefined)).toBeDefined();
    await controller.stop();
  });

  it('requeues after requeueAfterMs', async () => {
    let attempts = 0;
    const { controller, results } = makeController(() => {
      attempts++;
      return Promise.resolve(attempts === 1 ? { requeueAfterMs: 20 } : {});
    });
    const started = Date.now();
    controller.enqueue('a');
    await until(() => results.length === 2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(19);
    expect(results).toEqual(['requeue', 'success']);
    await controller.stop();
  });

  it('survives a reconcile that throws synchronously or a throwing onResult', async () => {
    const results: ReconcileOutcome[] = [];
    const controller = new Controller({
      name: 'sync-throw',
      concurrency: 1,
      reconcile: (): Promise<ReconcileResult> => {
        throw new TerminalError('sync');
      },
      logger: silentLogger(),
      onResult: (r) => {
        results.push(r);
        throw new Error('metrics broke');
      },
    });
    const ac = new AbortController();
    controller.start(ac.signal);
    controller.enqueue('a');
    controller.enqueue('b');
    await until(() => results.length === 2);
    expect(results).toEqual(['terminal', 'terminal']);
    ac.abort();
    await controller.stop();
  });

  it('passes the signal to reconcile; abort stops the loops and stop() waits for passes in flight', async () => {
    const gate = deferred();
    let seenSignal: AbortSignal | undefined;
    let finished = false;
    const { controller, ac } = makeController(async (_key, signal) => {
      seenSignal = signal;
      await gate.promise;
      finished = true;
      return {};
    });
    controller.enqueue('a');
    await until(() => seenSignal !== undefined);
    ac.abort();
    expect(seenSignal?.aborted).toBe(true);
    const stopped = controller.stop();
    controller.enqueue('b');
    await new Promise((r) => setTimeout(r, 5));
    expect(finished).toBe(false);
    gate.resolve();
    await stopped;
    expect(finished).toBe(true);
  });

  it('rejects a bad concurrency and a second start', () => {
    const opts = { name: 'x', reconcile: () => Promise.resolve({}), logger: silentLogger() };
    expect(() => new Controller({ ...opts, concurrency: 0 })).toThrow(RangeError);
    const c = new Controller({ ...opts, concurrency: 1 });
    c.start(new AbortController().signal);
    expect(() => c.start(new AbortController().signal)).toThrow(/already started/);
    return c.stop();
  });
});
