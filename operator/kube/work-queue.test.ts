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

    it('addRateLimited backs off exponentially per key up to the cap; forget resets', () => {
      const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50 });
      const delayOf = (key: string): number => {
        const before = Date.now();
        q.addRateLimited(key);
        let waited = 0;
        while (q.len() === 0) {
          vi.advanceTimersByTime(1);
          waited++;
        }
        void q.get().then((k) => k && q.done(k));
        expect(Date.now() - before).toBe(waited);
        return waited;
      };
      expect([delayOf('a'), delayOf('a'), delayOf('a'), delayOf('a'), delayOf('a')]).toEqual([
        10, 20, 40, 50, 50,
      ]);
      expect(q.numRequeues('a')).toBe(5);
      expect(delayOf('b')).toBe(10);
      q.forget('a');
      expect(q.numRequeues('a')).toBe(0);
      expect(delayOf('a')).toBe(10);
    });

    it('defaults to 5 ms doubling up to 1000 s', () => {
      const q = new WorkQueue();
      for (let i = 0; i < 40; i++) q.addRateLimited('a');
      expect(vi.getTimerCount()).toBe(1);
      q.forget('a');
      q.addRateLimited('b');
      vi.advanceTimersByTime(4);
      expect(q.len()).toBe(0);
      vi.advanceTimersByTime(1);
      expect(q.len()).toBe(1);
      vi.advanceTimersByTime(1_000_000);
      expect(q.len()).toBe(2);
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
        // What each consumer holds, or 'waiting' while its get() is pending.
        const holding: Array<string | 'waiting' | undefined> = [undefined, undefined, undefined, undefined];
        // Keys added since they were last handed out.
        const owed = new Set<string>();
        const get = (c: number): void => {
          holding[c] = 'waiting';
          void q.get().then((key) => {
            if (key === undefined) return;
            expect(holding.includes(key)).toBe(false);
            holding[c] = key;
            owed.delete(key);
          });
        };
        for (const cmd of commands) {
          if (cmd.op === 'add') {
            q.add(cmd.key);
            owed.add(cmd.key);
          } else if (cmd.op === 'get' && holding[cmd.consumer] === undefined) {
            get(cmd.consumer);
          } else if (cmd.op === 'done') {
            const key = holding[cmd.consumer];
            if (key !== undefined && key !== 'waiting') {
              holding[cmd.consumer] = undefined;
              q.done(key);
            }
          }
          await flush();
        }
        // Drain: every consumer finishes what it holds and keeps taking work.
        for (let round = 0; round < 20 && (owed.size > 0 || q.len() > 0); round++) {
          for (let c = 0; c < holding.length; c++) {
            const key = holding[c];
            if (key !== undefined && key !== 'waiting') {
              holding[c] = undefined;
              q.done(key);
            }
            if (holding[c] === undefined) get(c);
          }
          await flush();
        }
        expect(owed).toEqual(new Set());
        q.shutDown();
      }),
      { numRuns: 300 },
    );
  });
});
