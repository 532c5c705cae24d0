import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../api/dag.ts';
import { ACTIVE_TASK_PHASES, type DagInstanceStatus } from '../api/dag-instance.ts';
import {
  ACTIONS,
  DONE_OK,
  prng,
  randomWorkers,
  simulate,
} from '../../test/support/decide-simulation.ts';
import { graphOf } from '../../test/support/decide-fixtures.ts';

/** Mostly chains: each task follows the one before it, now and then a join or a new root. */
const chainy = fc
  .array(fc.tuple(fc.constantFrom(...ACTIONS), fc.double({ min: 0, max: 1, noNaN: true })), {
    minLength: 2,
    maxLength: 25,
  })
  .map((rows): TaskSpec[] =>
    rows.map(([actionName, r], i) => {
      const dependOn =
        i === 0 || r < 0.1 ? [] : r < 0.2 && i > 1 ? [`t${i - 1}`, 't0'] : [`t${i - 1}`];
      return { id: `t${i}`, actionName, ...(dependOn.length ? { dependOn } : {}) };
    }),
  );

const seen = new Set<string>();

function checkStatus(graph: ReturnType<typeof graphOf>, s: DagInstanceStatus): void {
  for (const id of graph.order) {
    const t = s.tasks?.[id];
    if (!t) continue;
    if (t.after !== undefined) seen.add('pre-assigned');
    if (t.reason === 'PreAssignmentVoided') seen.add('voided');
    // Only a waiting step carries `after`: its first report folded drops it.
    if (t.after !== undefined) expect(t.phase, `${id} with after`).toBe('Scheduled');
    expect(t.voided ?? 0).toBeLessThanOrEqual(t.attempt ?? 0);
    // Nothing ran before its parents were done, however eager the workers' reports.
    if (t.phase === 'Running' || t.phase === 'Succeeded' || t.startedAt !== undefined) {
      for (const p of graph.parents.get(id) ?? []) {
        expect(DONE_OK.has(s.tasks?.[p]?.phase ?? 'Pending'), `${id} ran before ${p}`).toBe(true);
      }
    }
    if (ACTIVE_TASK_PHASES.has(t.phase)) expect(t.worker).toBeDefined();
  }
}

describe('pre-assigned chains over random runs', { timeout: 60_000 }, () => {
  it('never run a step before its parent succeeded, void cleanly, and decide to a fixed point', () => {
    fc.assert(
      fc.property(
        chainy,
        randomWorkers,
        fc.noShrink(fc.integer()),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        (tasks, workers, seed, eager, lookAhead) => {
          const graph = graphOf(
            tasks.map((t, i) =>
              i % 3 === 0 ? { ...t, retry: { limit: 1, backoff: { seconds: 0, factor: 2 } } } : t,
            ),
          );
          const random = prng(seed);
          simulate({
            graph,
            workers,
            random,
            eager,
            chainLookAhead: lookAhead,
            ending: () => (random() < 0.2 ? 'AttemptFailed' : 'AttemptSucceeded'),
            killRate: 0.1,
            reviveRate: 0.3,
            zombieRate: 0.3,
            maxSteps: 120,
            check: (_before, after, _live, _now, again) => {
              checkStatus(graph, after);
              const next = again(after);
              expect(next.assigned).toEqual([]);
              expect(next.status).toEqual(after);
            },
          });
        },
      ),
      // A fixed seed: the last line checks that the generated runs reach both a
      // pre-assignment and a voided one, which some random seeds do not.
      { numRuns: 200, seed: 20261207 },
    );
    expect([...seen].sort()).toEqual(['pre-assigned', 'voided']);
  });
});
