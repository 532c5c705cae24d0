import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../api/dag.ts';
import { TERMINAL_TASK_PHASES } from '../api/dag-instance.ts';
import { randomDag } from '../../test/support/decide-simulation.ts';
import { simulate } from './simulate.ts';

const T0 = new Date('2026-05-01T10:00:00.000Z');

/** What a random task is given besides its place in the graph. */
const extras = fc.record({
  failures: fc.constantFrom(0, 0, 1, 2, Infinity),
  retries: fc.integer({ min: 0, max: 3 }),
  optional: fc.boolean(),
  check: fc.constantFrom(undefined, undefined, 'skip' as const, 'block' as const),
});

describe('simulate over random DAGs', { timeout: 60_000 }, () => {
  it('ends, without giving up, with every task terminal (or blocked), or behind one that did not succeed', () => {
    fc.assert(
      fc.property(
        randomDag.chain(({ tasks }) =>
          fc.tuple(
            fc.constant(tasks),
            fc.array(extras, { minLength: tasks.length, maxLength: tasks.length }),
          ),
        ),
        ([tasks, more]) => {
          const fail = new Map<string, number>();
          const spec: TaskSpec[] = tasks.map((t, i) => {
            const x = more[i] ?? { failures: 0, retries: 0, optional: false, check: undefined };
            if (x.failures > 0) fail.set(t.id, x.failures);
            return {
              ...t,
              ...(x.retries > 0
                ? { retry: { limit: x.retries, backoff: { seconds: 30, factor: 2 } } }
                : {}),
              ...(x.optional ? { optional: true } : {}),
              ...(x.check
                ? {
                    preCheck: [
                      {
                        act: x.check,
                        conditions: [
                          { source: 'vars' as const, key: 'x', op: 'not-exists' as const },
                        ],
                      },
                    ],
                  }
                : {}),
            };
          });
          const r = simulate({ spec: { tasks: spec }, start: T0, fail });
          if (!r.ok) throw new Error(r.message);
          expect(r.gaveUp).toBe(false);
          const entries = r.status.tasks ?? {};
          for (const t of spec) {
            const phase = entries[t.id]?.phase;
            if (phase !== undefined) {
              // Blocked: settled until someone continues it.
              const settled = TERMINAL_TASK_PHASES.has(phase) || phase === 'Blocked';
              expect(settled, `${t.id} is ${phase}`).toBe(true);
              continue;
            }
            // Never started: some parent ended in a way that holds its dependants.
            const held = (t.dependOn ?? []).some((p) => {
              const e = entries[p];
              return (
                e === undefined ||
                (!['Succeeded', 'Skipped'].includes(e.phase) &&
                  !(e.phase === 'Failed' && spec.find((s) => s.id === p)?.optional))
              );
            });
            expect(held, `${t.id} never started`).toBe(true);
          }
          expect(['Succeeded', 'Failed', 'Blocked']).toContain(r.phase);
        },
      ),
      { numRuns: 200 },
    );
  });
});
