import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkerPool, type WorkerView } from './worker-pool.ts';

function w(name: string, actions: string[], capacity = 4, load = 0): WorkerView {
  return { name, actions: new Set(actions), capacity, load };
}

describe('WorkerPool', () => {
  it.each([
    { name: 'no workers', workers: [], action: 'A', picks: [undefined] },
    { name: 'nobody has the action', workers: [w('w1', ['B'])], action: 'A', picks: [undefined] },
    {
      name: 'only the worker with the action',
      workers: [w('w1', ['B']), w('w2', ['A'])],
      action: 'A',
      picks: ['w2', 'w2'],
    },
    {
      // w2 has the most room; once picked it is the instance's, and is filled first.
      name: 'the most room first, then filled before another',
      workers: [w('w1', ['A'], 4, 2), w('w2', ['A'], 4, 1)],
      action: 'A',
      picks: ['w2', 'w2', 'w2', 'w1', 'w1', 'w1'],
    },
    {
      // Room: small 1, big 8 -> big until full; then least loaded for its capacity.
      name: 'room, then load relative to capacity',
      workers: [w('small', ['A'], 1, 0), w('big', ['A'], 10, 2)],
      action: 'A',
      picks: ['big', 'big', 'big', 'big', 'big', 'big', 'big', 'big', 'small', 'big'],
    },
    {
      name: 'ties go to the first name',
      workers: [w('b', ['A'], 1), w('a', ['A'], 1), w('c', ['A'], 1)],
      action: 'A',
      picks: ['a', 'b', 'c', 'a', 'b', 'c'],
    },
    {
      name: 'over capacity still assigns',
      workers: [w('w1', ['A'], 1, 5)],
      action: 'A',
      picks: ['w1'],
    },
  ])('$name', ({ workers, action, picks }) => {
    const pool = new WorkerPool(workers);
    expect(picks.map(() => pool.pick(action))).toEqual(picks);
  });

  it('prefers the given worker while it has a free slot, then the most room', () => {
    const pool = new WorkerPool([w('a', ['A'], 4, 0), w('b', ['A'], 2, 0)]);
    const b = { prefer: 'b' };
    expect([pool.pick('A', b), pool.pick('A', b), pool.pick('A', b)]).toEqual(['b', 'b', 'a']);
    expect(pool.pick('A', { prefer: 'gone' })).toBe('a');
    expect(new WorkerPool([w('a', ['A']), w('b', ['B'])]).pick('A', b)).toBe('a');
  });

  it('avoids the given worker while another has the action, however loaded', () => {
    const pool = new WorkerPool([w('a', ['A'], 4, 0), w('b', ['A'], 1, 3)]);
    expect(pool.pick('A', { avoid: 'a' })).toBe('b');
    expect(pool.pick('A', { prefer: 'a', avoid: 'a' })).toBe('b');
    expect(new WorkerPool([w('a', ['A'])]).pick('A', { avoid: 'a' })).toBe('a');
  });

  it('knows which workers are live', () => {
    const pool = new WorkerPool([w('w1', ['A']), w('w2', [])]);
    expect(pool.isLive('w1')).toBe(true);
    expect(pool.isLive('w2')).toBe(true);
    expect(pool.isLive('w3')).toBe(false);
  });

  it('counts picks for one action against the load seen by another', () => {
    const pool = new WorkerPool([w('both', ['A', 'B'], 1), w('onlyB', ['B'], 1)]);
    expect(pool.pick('A')).toBe('both');
    expect(pool.pick('B')).toBe('onlyB');
    expect(pool.pick('B')).toBe('both');
  });

  it('picks the same sequence whatever order the workers are given in', () => {
    const workers = fc.uniqueArray(
      fc.record({
        name: fc.constantFrom('w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7'),
        actions: fc.subarray(['A', 'B', 'C']),
        capacity: fc.integer({ min: 1, max: 8 }),
        load: fc.nat(10),
      }),
      { selector: (x) => x.name, maxLength: 8 },
    );
    fc.assert(
      fc.property(
        workers.chain((ws) =>
          fc.tuple(fc.constant(ws), fc.shuffledSubarray(ws, { minLength: ws.length })),
        ),
        fc.array(fc.constantFrom('A', 'B', 'C'), { maxLength: 30 }),
        ([ws, shuffled], actions) => {
          const views = (list: typeof ws): WorkerView[] =>
            list.map((x) => w(x.name, x.actions, x.capacity, x.load));
          const a = new WorkerPool(views(ws));
          const b = new WorkerPool(views(shuffled));
          expect(actions.map((x) => b.pick(x))).toEqual(actions.map((x) => a.pick(x)));
        },
      ),
    );
  });

  it('takes a worker with room while one has it, else the least loaded for its capacity', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            name: fc.string({ minLength: 1, maxLength: 3 }),
            actions: fc.subarray(['A', 'B']),
            capacity: fc.integer({ min: 1, max: 8 }),
            load: fc.nat(10),
          }),
          { selector: (x) => x.name, maxLength: 6 },
        ),
        fc.array(fc.constantFrom('A', 'B'), { maxLength: 40 }),
        (ws, actions) => {
          const pool = new WorkerPool(ws.map((x) => w(x.name, x.actions, x.capacity, x.load)));
          const load = new Map(ws.map((x) => [x.name, x.load]));
          for (const action of actions) {
            const able = ws.filter((x) => x.actions.includes(action));
            const picked = pool.pick(action);
            if (able.length === 0) {
              expect(picked).toBeUndefined();
              continue;
            }
            const held = (x: (typeof ws)[number]): number => load.get(x.name) as number;
            const chosen = able.find((x) => x.name === picked) as (typeof ws)[number];
            expect(chosen).toBeDefined();
            if (able.some((x) => held(x) < x.capacity))
              expect(held(chosen)).toBeLessThan(chosen.capacity);
            else {
              const best = Math.min(...able.map((x) => held(x) / x.capacity));
              expect(held(chosen) / chosen.capacity).toBe(best);
            }
            load.set(picked as string, held(chosen) + 1);
          }
        },
      ),
    );
  });
});
