import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue } from './work-queue.ts';

// Lets promise callbacks (a waiting get() being resolved) run.
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WorkQueue', () => {
  it('stores a waiting key once and hands keys out in FIFO order', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('resolves a waiting get() when a key is added', async () => {
    const q = new WorkQueue();
    const next = q.get();
    q.add('a');
    expect(await next).toBe('a');
  });

  it('never hands a key being processed to a second consumer; re-adds it after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await flush();
    expect(second).toBeUndefined();
    q.done('a');
    await flush();
    expect(second).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('does not re-add a key that was not re-added while processing', async () => {
    const q = new WorkQueue();
    q.add('a');
    await q.get();
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('reports how long each key waited ready before it was handed out', async () => {
    const waits: number[] = [];
    const q = new WorkQueue({ onHandOut: (ms) => waits.push(ms) });
    q.add('a');
    q.add('a');
    await new Promise((r) => setTimeout(r, 20));
    expect(await q.get()).toBe('a');
    q.add('a'); // dirty while processing: ready again only once done
    await new Promise((r) => setTimeout(r, 20));
    q.done('a');
    expect(await q.get()).toBe('a');
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(15);
    expect(waits[1]).toBeLessThan(15);
  });

  it('still hands a key out when the onHandOut hook throws', async () => {
    const q = new WorkQueue({
      onHandOut: () => {
        throw new Error('metrics broke');
      },
    });
    q.add('a');
    expect(await q.get()).toBe('a');
  });

  it('resolves get() with undefined after shutDown, waiting or not', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.add('x');
    q.shutDown();
    expect(await waiting).toBe('x');
    const pending = new WorkQueue();
    const w = pending.get();
    pending.shutDown();
    expect(await w).toBeUndefined();
    pending.add('y');
    expect(await pending.get()).toBeUndefined();
    expect(pending.len()).toBe(0);
  });

  describe('with fake timers', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('addAfter adds the key once the delay has passed', () => {
      const q = new WorkQueue();
      q.addAfter('a', 100);
      vi.advanceTimersByTime(99);
      expect(q.len()).toBe(0);
      vi.advanceTimersByTime(1);
      expect(q.len()).toBe(1);
    });

    it('addAfter keeps the earliest pending time for a key', () => {
      const q = new WorkQueue();
      q.addAfter('a', 100);
      q.addAfter('a', 500);
      vi.advanceTimersByTime(100);
      expect(q.len()).toBe(1);
      q.addAfter('b', 500);
      q.addAfter('b', 50);
      vi.advanceTimersByTime(50);
      expect(q.len()).toBe(2);
      vi.advanceTimersByTime(1000);
      expect(q.len()).toBe(2);
    });

    it('addAfter with no delay adds at once', () => {
      const q = new WorkQueue();
      q.addAfter('a', 0);
      expect(q.len()).toBe(1);
    });

    it('addRateLimited backs off exponentially per key up to the cap; forget resets', async () => {
      const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50 });
      const delayOf = async (key: string): Promise<number> => {
        q.addRateLimited(key);
        let waited = 0;
        while (q.len() === 0 && waited < 1000) {
          vi.advanceTimersByTime(1);
          waited++;
        }
        q.done((await q.get()) ?? '');
        return waited;
      };
      const delays = [];
      for (let i = 0; i < 5; i++) delays.push(await delayOf('a'));
      expect(delays).toEqual([10, 20, 40, 50, 50]);
      expect(q.numRequeues('a')).toBe(5);
      expect(await delayOf('b')).toBe(10);
      q.forget('a');
      expect(q.numRequeues('a')).toBe(0);
      expect(await delayOf('a')).toBe(10);
    });

    it('defaults to 5 ms doubling up to 1000 s', async () => {
      const q = new WorkQueue();
      q.addRateLimited('a');
      vi.advanceTimersByTime(4);
      expect(q.len()).toBe(0);
      vi.advanceTimersByTime(1);
      expect(q.len()).toBe(1);
      q.done((await q.get()) ?? '');
      // Failures 2..40 while the first retry is pending: the earliest time wins.
      for (let i = 0; i < 39; i++) q.addRateLimited('a');
      vi.advanceTimersByTime(10);
      q.done((await q.get()) ?? '');
      q.addRateLimited('a');
      vi.advanceTimersByTime(1_000_000 - 1);
      expect(q.len()).toBe(0);
      vi.advanceTimersByTime(1);
      expect(q.len()).toBe(1);
    });

    it('shutDown clears pending delays', () => {
      const q = new WorkQueue();
      q.addAfter('a', 10);
      q.shutDown();
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  it('property: no key is held twice, every added key is processed after its last add', async () => {
    const command = fc.oneof(
      fc.record({ op: fc.constant('add' as const), key: fc.constantFrom('a', 'b', 'c', 'd') }),
      fc.record({ op: fc.constant('get' as const), consumer: fc.nat(3) }),
      fc.record({ op: fc.constant('done' as const), consumer: fc.nat(3) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 60 }), async (commands) => {
        const q = new WorkQueue();
        // Per consumer: the key it holds, 'waiting' while its get() is pending, or idle.
        const consumers: Array<{ key?: string; waiting?: boolean }> = [{}, {}, {}, {}];
        // Keys added since they were last handed out.
        const owed = new Set<string>();
        const heldTwice: string[] = [];
        const get = (c: number): void => {
          consumers[c] = { waiting: true };
          void q.get().then((key) => {
            if (key === undefined) return;
            if (consumers.some((x) => x.key === key)) heldTwice.push(key);
            consumers[c] = { key };
            owed.delete(key);
          });
        };
        const finish = (c: number): void => {
          const key = consumers[c]?.key;
          if (key === undefined) return;
          consumers[c] = {};
          q.done(key);
        };
        const idle = (c: number): boolean => !consumers[c]?.key && !consumers[c]?.waiting;
        for (const cmd of commands) {
          if (cmd.op === 'add') {
            q.add(cmd.key);
            owed.add(cmd.key);
          } else if (cmd.op === 'get' && idle(cmd.consumer)) {
            get(cmd.consumer);
          } else if (cmd.op === 'done') {
            finish(cmd.consumer);
          }
          await flush();
        }
        // Drain: every consumer finishes what it holds and keeps taking work.
        for (let round = 0; round < 20 && (owed.size > 0 || q.len() > 0); round++) {
          for (let c = 0; c < consumers.length; c++) {
            finish(c);
            if (idle(c)) get(c);
          }
          await flush();
        }
        expect(heldTwice).toEqual([]);
        expect(owed).toEqual(new Set());
        q.shutDown();
      }),
      { numRuns: 300 },
    );
  });
});
