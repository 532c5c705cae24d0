import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../api/dag.ts';
import {
  ACTIVE_TASK_PHASES,
  DagInstanceStatus as DagInstanceStatusSchema,
  type TaskPhase,
} from '../api/dag-instance.ts';
import { decideOnce, graphOf } from '../../test/support/decide-fixtures.ts';
import {
  ACTIONS,
  DONE_OK,
  allActions,
  prng,
  randomDag,
  randomWorkers,
  simulate,
  type RandomWorker,
  type SimResult,
} from '../../test/support/decide-simulation.ts';
import type { DagGraph } from './graph.ts';

type Outcome = 'Succeeded' | 'Failed' | 'Skipped' | 'Blocked';

function permute<T>(items: readonly T[], order: readonly number[]): T[] {
  // `order` is any list of numbers; sort indices by it (stable) for a permutation.
  return items
    .map((item, i) => ({ item, key: order[i % Math.max(order.length, 1)] ?? 0, i }))
    .sort((a, b) => a.key - b.key || a.i - b.i)
    .map((x) => x.item);
}

/** Tasks whose outcome is Skipped or Blocked get a preCheck that holds: no worker runs them. */
function withPreChecks(tasks: TaskSpec[], outcome: (id: string) => Outcome): TaskSpec[] {
  return tasks.map((t) => {
    const o = outcome(t.id);
    if (o !== 'Skipped' && o !== 'Blocked') return t;
    const act = o === 'Skipped' ? 'skip' : 'block';
    return {
      ...t,
      preCheck: [{ act, conditions: [{ source: 'vars', key: 'x', op: 'not-exists' }] }],
    };
  });
}

/** The outcome a run must reach: a task runs iff all its parents ended Succeeded or Skipped. */
function expectedFinal(
  graph: DagGraph,
  outcome: (id: string) => Outcome,
): { phases: Record<string, TaskPhase>; phase: string } {
  const phases: Record<string, TaskPhase> = {};
  for (const id of graph.order) {
    const runs = (graph.parents.get(id) ?? []).every((p) => DONE_OK.has(phases[p] ?? 'Pending'));
    if (runs) phases[id] = outcome(id);
  }
  const all = graph.order.map((id) => phases[id] ?? 'Pending');
  const phase = all.every((p) => DONE_OK.has(p))
    ? 'Succeeded'
    : all.includes('Failed')
      ? 'Failed'
      : 'Blocked';
  return { phases, phase };
}

// Hundreds of simulated runs: seconds on a loaded 2-core machine, above vitest's 5 s default.
describe('decide over random DAGs', { timeout: 60_000 }, () => {
  it('never schedules a task before its parents are done, and is idempotent at every step', () => {
    fc.assert(
      fc.property(
        randomDag,
        randomWorkers,
        fc.noShrink(fc.integer()),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        ({ tasks }, workers, seed, failRate) => {
          const graph = graphOf(tasks);
          const random = prng(seed);
          const endings = new Map(
            tasks.map((t) => [
              t.id,
              random() < failRate ? ('AttemptFailed' as const) : ('AttemptSucceeded' as const),
            ]),
          );
          const attempts = new Map<string, number>();
          simulate({
            graph,
            workers,
            random,
            ending: (id) => endings.get(id) ?? 'AttemptSucceeded',
            killRate: 0.15,
            reviveRate: 0.2,
            maxSteps: 150,
            check: (before, after, live, now) => {
              const liveByName = new Map(live.map((w) => [w.name, w]));
              // (1) Nothing active before its parents are done.
              for (const id of graph.order) {
                const t = after.tasks?.[id];
                if (!t || !ACTIVE_TASK_PHASES.has(t.phase)) continue;
                for (const p of graph.parents.get(id) ?? []) {
                  expect(
                    DONE_OK.has(after.tasks?.[p]?.phase ?? 'Pending'),
                    `${id} before ${p}`,
                  ).toBe(true);
                }
                // Active tasks sit on live workers that have their action.
                const w = liveByName.get(t.worker ?? '');
                expect(w, `${id} is on a live worker`).toBeDefined();
                if (
                  before.tasks?.[id]?.worker !== t.worker ||
                  before.tasks?.[id]?.attempt !== t.attempt
                ) {
                  expect(w?.actions.has(graph.tasks.get(id)?.actionName ?? '')).toBe(true);
                }
              }
              // Attempts never go backwards; a finished task is never touched.
              for (const id of graph.order) {
                const was = before.tasks?.[id];
                const is = after.tasks?.[id];
                const attempt = is?.attempt ?? 0;
                expect(attempt).toBeGreaterThanOrEqual(attempts.get(id) ?? 0);
                attempts.set(id, attempt);
                if (was && ['Succeeded', 'Failed', 'Skipped', 'Blocked'].includes(was.phase)) {
                  expect(is).toEqual(was);
                }
              }
              // (2) Idempotence: decide on its own output with the same input changes nothing.
              const again = decideOnce(graph, after, live, now);
              expect(again.assigned).toEqual([]);
              expect(again.status).toEqual(after);
              // ... and so does a repeat of it later (a reconcile after a crash or a resync).
              const later = new Date(now.getTime() + 3_600_000);
              const repeat = decideOnce(graph, after, live, later);
              expect(repeat.assigned).toEqual([]);
              expect(repeat.status).toEqual(after);
              // What decide writes is what the CRD accepts.
              const parsed = DagInstanceStatusSchema.safeParse(after);
              expect(parsed.success, parsed.error?.message).toBe(true);
              // Progress counts finished tasks.
              const finished = graph.order.filter((id) =>
                ['Succeeded', 'Failed', 'Skipped', 'Canceled'].includes(
                  after.tasks?.[id]?.phase ?? '',
                ),
              ).length;
              expect(after.progress).toBe(`${finished}/${graph.order.length}`);
              // Failed only once nothing can move.
              if (after.phase === 'Failed') {
                expect(
                  graph.order.some((id) =>
                    ACTIVE_TASK_PHASES.has(after.tasks?.[id]?.phase ?? 'Pending'),
                  ),
                ).toBe(false);
                expect(
                  graph.order.some((id) => after.tasks?.[id]?.reason === 'NoWorkerForAction'),
                ).toBe(false);
              }
            },
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reaches Succeeded in a bounded number of steps when workers cover every action', () => {
    fc.assert(
      fc.property(
        randomDag,
        randomWorkers.filter(allActions),
        fc.noShrink(fc.integer()),
        fc.integer({ min: 0, max: 3 }),
        ({ tasks }, workers, seed, maxKills) => {
          const graph = graphOf(tasks);
          const random = prng(seed);
          // One always-alive worker per action keeps every action covered; the rest may die.
          const permanent = new Set(
            ACTIONS.map((a) => workers.find((w) => w.actions.includes(a))?.name ?? ''),
          );
          const n = tasks.length;
          // Each attempt needs two reports (Running, Succeeded); a kill restarts at most n attempts.
          const bound = 2 * n * (maxKills + 1) + 1;
          const result = simulate({
            graph,
            workers,
            random,
            permanent,
            forceProgress: true,
            killRate: 0.2,
            maxKills,
            maxSteps: bound,
          });
          expect(result.kills).toBeLessThanOrEqual(maxKills);
          expect(result.status.phase, `after ${result.steps} steps`).toBe('Succeeded');
          expect(result.status.progress).toBe(`${n}/${n}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('ends in the same phase whatever the order of tasks in the spec', () => {
    const outcomeArb = fc.array(
      fc.constantFrom<Outcome>(
        'Succeeded',
        'Succeeded',
        'Succeeded',
        'Failed',
        'Skipped',
        'Blocked',
      ),
      { minLength: 40, maxLength: 40 },
    );
    fc.assert(
      fc.property(
        randomDag,
        outcomeArb,
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        fc.noShrink(fc.integer()),
        ({ tasks }, outcomes, order, seed) => {
          const outcome = (id: string): Outcome => outcomes[Number(id.slice(1))] ?? 'Succeeded';
          const workers: RandomWorker[] = [
            { name: 'w0', actions: ['A', 'B'], capacity: 2 },
            { name: 'w1', actions: ['C'], capacity: 1 },
            { name: 'w2', actions: ['A', 'C'], capacity: 3 },
          ];
          const run = (spec: TaskSpec[], s: number): SimResult =>
            simulate({
              graph: graphOf(withPreChecks(spec, outcome)),
              workers,
              random: prng(s),
              ending: (id) => (outcome(id) === 'Failed' ? 'AttemptFailed' : 'AttemptSucceeded'),
              forceProgress: true,
              maxSteps: 2 * spec.length + 2,
            });
          const inOrder = run(tasks, seed);
          const shuffled = permute(tasks, order);
          const reordered = run(shuffled, seed ^ 0x5bd1e995);
          const expected = expectedFinal(graphOf(tasks), outcome);

          const finalPhases = (r: SimResult): Record<string, TaskPhase> =>
            Object.fromEntries(
              Object.entries(r.status.tasks ?? {}).map(([id, t]) => [id, t.phase]),
            );
          expect(inOrder.status.phase).toBe(expected.phase);
          expect(reordered.status.phase).toBe(inOrder.status.phase);
          expect(finalPhases(inOrder)).toEqual(expected.phases);
          expect(finalPhases(reordered)).toEqual(expected.phases);
        },
      ),
      { numRuns: 300 },
    );
  });
});
