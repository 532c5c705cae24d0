import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../api/dag.ts';
import {
  ACTIVE_TASK_PHASES,
  DagInstanceStatus as DagInstanceStatusSchema,
  TERMINAL_INSTANCE_PHASES,
  type DagInstanceStatus,
  type TaskPhase,
  type TaskStatus,
} from '../api/dag-instance.ts';
import { decide } from './decide.ts';
import { buildGraph, type DagGraph } from './graph.ts';
import { started } from './instance-start.ts';
import type { WorkerView } from './worker-pool.ts';

const ACTIONS = ['A', 'B', 'C'] as const;
const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const DONE_OK: ReadonlySet<string> = new Set(['Succeeded', 'Skipped']);

interface RandomDag {
  tasks: TaskSpec[];
}

/** 1..40 tasks; edges only from earlier to later tasks, so always acyclic. */
const randomDag: fc.Arbitrary<RandomDag> = fc
  .integer({ min: 1, max: 40 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.constantFrom(...ACTIONS), { minLength: n, maxLength: n }),
      fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 2 * n }),
    ),
  )
  .map(([actions, pairs]) => ({
    tasks: actions.map((actionName, i) => {
      const deps = [
        ...new Set(
          pairs.filter(([x, y]) => x !== y && Math.max(x, y) === i).map(([x, y]) => Math.min(x, y)),
        ),
      ];
      return {
        id: `t${i}`,
        actionName,
        ...(deps.length ? { dependOn: deps.map((d) => `t${d}`) } : {}),
      };
    }),
  }));

interface RandomWorker {
  name: string;
  actions: string[];
  capacity: number;
}

const randomWorkers: fc.Arbitrary<RandomWorker[]> = fc.uniqueArray(
  fc.record({
    name: fc.constantFrom('w0', 'w1', 'w2', 'w3', 'w4', 'w5'),
    actions: fc.subarray([...ACTIONS]),
    capacity: fc.integer({ min: 1, max: 5 }),
  }),
  { selector: (w) => w.name, maxLength: 6 },
);

/** A small deterministic PRNG (mulberry32), seeded by fast-check. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function graphOf(tasks: TaskSpec[]): DagGraph {
  const result = buildGraph(tasks);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.graph;
}

function permute<T>(items: readonly T[], order: readonly number[]): T[] {
  // `order` is any list of numbers; sort indices by it (stable) for a permutation.
  return items
    .map((item, i) => ({ item, key: order[i % Math.max(order.length, 1)] ?? 0, i }))
    .sort((a, b) => a.key - b.key || a.i - b.i)
    .map((x) => x.item);
}

/** Live workers as the operator would see them: load = tasks active on them. */
function views(live: readonly RandomWorker[], status: DagInstanceStatus): WorkerView[] {
  return live.map((w) => ({
    name: w.name,
    actions: new Set(w.actions),
    capacity: w.capacity,
    load: Object.values(status.tasks ?? {}).filter(
      (t) => ACTIVE_TASK_PHASES.has(t.phase) && t.worker === w.name,
    ).length,
  }));
}

type Outcome = 'Succeeded' | 'Failed' | 'Skipped' | 'Blocked';

interface SimOptions {
  graph: DagGraph;
  workers: RandomWorker[];
  random: () => number;
  /** The final phase a task reports once it runs (by task id); default Succeeded. */
  outcome?: (id: string) => Outcome;
  /** Probability per step that a (non-permanent) live worker dies. */
  killRate?: number;
  /** Probability per step that a dead worker comes back. */
  reviveRate?: number;
  /** Workers that never die. */
  permanent?: ReadonlySet<string>;
  /** Each step, at least one active task on a live worker moves forward. */
  forceProgress?: boolean;
  maxSteps: number;
  /** Most workers that may die in one run. */
  maxKills?: number;
  /** Called on every decision with the input it was made from. */
  check?: (
    before: DagInstanceStatus,
    after: DagInstanceStatus,
    live: WorkerView[],
    now: Date,
  ) => void;
}

interface SimResult {
  status: DagInstanceStatus;
  steps: number;
  kills: number;
}

/**
 * The world around decide: each step decides, then the workers report
 * progress on their own attempts (Scheduled -> Running -> outcome), and
 * sometimes a worker dies (its tasks stop moving) or comes back.
 */
function simulate(options: SimOptions): SimResult {
  const { graph, random } = options;
  const outcome = options.outcome ?? (() => 'Succeeded');
  let live = [...options.workers];
  const dead: RandomWorker[] = [];
  let status: DagInstanceStatus = started(undefined, 'rev', new Date(T0));
  let kills = 0;
  for (let stepNo = 1; stepNo <= options.maxSteps; stepNo++) {
    const now = new Date(T0 + stepNo * 1000);
    const workers = views(live, status);
    const decision = decide({ graph, status, workers, generation: 1, now });
    options.check?.(status, decision.status, workers, now);
    status = decision.status;
    if (TERMINAL_INSTANCE_PHASES.has(status.phase ?? 'Pending') || status.phase === 'Blocked') {
      return { status, steps: stepNo, kills };
    }

    // Workers report on their own attempts.
    const liveNames = new Set(live.map((w) => w.name));
    const movable = graph.order.filter((id) => {
      const t = status.tasks?.[id];
      return t !== undefined && ACTIVE_TASK_PHASES.has(t.phase) && liveNames.has(t.worker ?? '');
    });
    const forced =
      options.forceProgress && movable.length > 0
        ? movable[Math.floor(random() * movable.length)]
        : undefined;
    const tasks = { ...status.tasks };
    for (const id of movable) {
      if (id !== forced && random() < 0.5) continue;
      const t = tasks[id] as TaskStatus;
      const next: TaskPhase = t.phase === 'Scheduled' ? 'Running' : outcome(id);
      tasks[id] = {
        ...t,
        phase: next,
        ...(next === 'Running'
          ? { startedAt: now.toISOString() }
          : { finishedAt: now.toISOString() }),
        ...(next === 'Failed' ? { message: `${id} broke` } : {}),
      };
    }
    status = { ...status, tasks };

    // Workers come and go.
    if (dead.length > 0 && random() < (options.reviveRate ?? 0)) {
      live.push(dead.shift() as RandomWorker);
    }
    const killable = live.filter((w) => !options.permanent?.has(w.name));
    const mayKill = kills < (options.maxKills ?? Infinity);
    if (mayKill && killable.length > 0 && random() < (options.killRate ?? 0)) {
      const victim = killable[Math.floor(random() * killable.length)] as RandomWorker;
      live = live.filter((w) => w !== victim);
      dead.push(victim);
      kills++;
    }
  }
  return { status, steps: options.maxSteps, kills };
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

const allActions = (ws: readonly RandomWorker[]): boolean =>
  ACTIONS.every((a) => ws.some((w) => w.actions.includes(a)));

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
          const outcomes = new Map(
            tasks.map((t) => [
              t.id,
              random() < failRate ? ('Failed' as const) : ('Succeeded' as const),
            ]),
          );
          const attempts = new Map<string, number>();
          simulate({
            graph,
            workers,
            random,
            outcome: (id) => outcomes.get(id) ?? 'Succeeded',
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
              const again = decide({ graph, status: after, workers: live, generation: 1, now });
              expect(again.assigned).toEqual([]);
              expect(again.status).toEqual(after);
              // ... and so does a repeat of it later (a reconcile after a crash or a resync).
              const later = new Date(now.getTime() + 3_600_000);
              const repeat = decide({
                graph,
                status: after,
                workers: live,
                generation: 1,
                now: later,
              });
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
              graph: graphOf(spec),
              workers,
              random: prng(s),
              outcome,
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
