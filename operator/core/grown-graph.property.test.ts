import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../api/dag.ts';
import { DagInstanceStatus } from '../api/dag-instance.ts';
import { graphOf } from '../../test/support/decide-fixtures.ts';
import { ACTIONS, prng, randomDag, simulate } from '../../test/support/decide-simulation.ts';
import { fanOutKey, iterationKey, parseGrownKey, UNDER_WAY } from './grown-graph.ts';

// Random DAGs in which some tasks fan out over a list and a loop runs a
// two-task body: every decision is a fixed point of itself, and every copy
// and every iteration's task runs exactly once.

interface Grown {
  tasks: TaskSpec[];
  /** Fan-out task id → its item count. */
  fans: Map<string, number>;
  /** Fan-out task id → its maxConcurrency. */
  limits: Map<string, number>;
  iterations: number;
}

const grownDag: fc.Arbitrary<Grown> = fc
  .tuple(
    randomDag,
    fc.array(fc.tuple(fc.nat(39), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 4 })), {
      maxLength: 4,
    }),
    fc.integer({ min: 1, max: 4 }),
    fc.nat(39),
  )
  .map(([{ tasks }, fanOuts, iterations, at]) => {
    const fans = new Map<string, number>();
    const limits = new Map<string, number>();
    for (const [i, n, limit] of fanOuts) {
      const t = tasks[i % tasks.length] as TaskSpec;
      if (fans.has(t.id)) continue;
      fans.set(t.id, n);
      limits.set(t.id, limit);
      const items = `[${Array.from({ length: n }, (_, k) => k).join(', ')}]`;
      Object.assign(t, { forEach: { items, maxConcurrency: limit } });
    }
    const before = tasks[at % tasks.length] as TaskSpec;
    const loop: TaskSpec = {
      id: 'loop',
      type: 'loop',
      dependOn: [before.id],
      loop: { body: ['b1', 'b2'], while: `iteration < ${iterations}`, maxIterations: 10 },
    };
    const body: TaskSpec[] = [
      { id: 'b1', actionName: 'A' },
      { id: 'b2', actionName: 'B', dependOn: ['b1'] },
    ];
    return { tasks: [...tasks, loop, ...body], fans, limits, iterations };
  });

describe('decide over random DAGs that grow', { timeout: 60_000 }, () => {
  it('is a fixed point at every step and runs every copy and iteration once', () => {
    fc.assert(
      fc.property(
        grownDag,
        fc.noShrink(fc.integer()),
        ({ tasks, fans, limits, iterations }, seed) => {
          const graph = graphOf(tasks);
          const workers = [{ name: 'w0', actions: [...ACTIONS], capacity: 3 }];
          const result = simulate({
            graph,
            workers,
            random: prng(seed),
            forceProgress: true,
            maxSteps: 600,
            check: (_before, after, _live, _now, again) => {
              const repeat = again(after);
              expect(repeat.assigned).toEqual([]);
              expect(repeat.status).toEqual(after);
              const parsed = DagInstanceStatus.safeParse(after);
              expect(parsed.success, parsed.error?.message).toBe(true);
              // A grown key runs once; no more copies under way than maxConcurrency.
              const underWay = new Map<string, number>();
              for (const [key, t] of Object.entries(after.tasks ?? {})) {
                const grown = parseGrownKey(key);
                if (grown === undefined) continue;
                expect(t.attempt ?? 1, key).toBe(1);
                if ('copy' in grown && UNDER_WAY.has(t.phase)) {
                  underWay.set(grown.base, (underWay.get(grown.base) ?? 0) + 1);
                }
              }
              for (const [id, n] of underWay) expect(n).toBeLessThanOrEqual(limits.get(id) ?? 0);
            },
          });
          const final = result.status;
          expect(final.phase).toBe('Succeeded');
          for (const [id, n] of fans) {
            expect(final.tasks?.[id]?.output).toEqual(Array.from({ length: n }, () => null));
            for (let k = 0; k < n; k++)
              expect(final.tasks?.[fanOutKey(id, k)]?.phase).toBe('Succeeded');
            expect(final.tasks?.[fanOutKey(id, n)]).toBeUndefined();
          }
          expect(final.tasks?.['loop']).toMatchObject({
            phase: 'Succeeded',
            iteration: iterations,
          });
          for (let i = 1; i <= iterations; i++) {
            expect(final.tasks?.[iterationKey('b2', i)]?.phase).toBe('Succeeded');
          }
          expect(final.tasks?.[iterationKey('b1', iterations + 1)]).toBeUndefined();
        },
      ),
      { numRuns: 150 },
    );
  });
});
