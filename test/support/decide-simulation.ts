// The world around decide, for its property tests: random Dags and workers, and a
// simulation in which workers report on their attempts through the transition table.
import fc from 'fast-check';
import type { TaskSpec } from '../../operator/api/dag.ts';
import {
  ACTIVE_TASK_PHASES,
  instanceFinished,
  type DagInstanceStatus,
  type TaskPhase,
  type TaskStatus,
} from '../../operator/api/dag-instance.ts';
import { attemptKey } from '../../operator/api/task-result.ts';
import type { Decision } from '../../operator/core/decide.ts';
import { foldResults } from '../../operator/core/fold-results.ts';
import type { DagGraph } from '../../operator/core/graph.ts';
import { allKeys } from '../../operator/core/grown-graph.ts';
import { started } from '../../operator/core/instance-start.ts';
import { pendingOperations } from '../../operator/core/operations.ts';
import { preAssignmentGate } from '../../operator/core/pre-assign.ts';
import { resultOf } from '../../operator/core/task-report.ts';
import type { WorkerEvent } from '../../operator/core/task-transitions.ts';
import type { WorkerView } from '../../operator/core/worker-pool.ts';
import { T0 as START, decideOnce } from './decide-fixtures.ts';

export const ACTIONS = ['A', 'B', 'C'] as const;
export const T0 = START.getTime();
export const DONE_OK: ReadonlySet<string> = new Set(['Succeeded', 'Skipped']);

/** 1..40 tasks; edges only from earlier to later tasks, so always acyclic. */
export const randomDag: fc.Arbitrary<{ tasks: TaskSpec[] }> = fc
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

export interface RandomWorker {
  name: string;
  actions: string[];
  capacity: number;
}

export const randomWorkers: fc.Arbitrary<RandomWorker[]> = fc.uniqueArray(
  fc.record({
    name: fc.constantFrom('w0', 'w1', 'w2', 'w3', 'w4', 'w5'),
    actions: fc.subarray([...ACTIONS]),
    capacity: fc.integer({ min: 1, max: 5 }),
  }),
  { selector: (w) => w.name, maxLength: 6 },
);

export const allActions = (ws: readonly RandomWorker[]): boolean =>
  ACTIONS.every((a) => ws.some((w) => w.actions.includes(a)));

/** A small deterministic PRNG (mulberry32), seeded by fast-check. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Live workers as the operator would see them: load = tasks active on them. */
export function views(live: readonly RandomWorker[], status: DagInstanceStatus): WorkerView[] {
  return live.map((w) => ({
    name: w.name,
    actions: new Set(w.actions),
    capacity: w.capacity,
    load: Object.values(status.tasks ?? {}).filter(
      (t) => ACTIVE_TASK_PHASES.has(t.phase) && t.worker === w.name,
    ).length,
  }));
}

/** The event of a finished attempt: what a worker reports once the action is done. */
export type Ending = 'AttemptSucceeded' | 'AttemptFailed';

/** An attempt as its worker knows it: the phase it last wrote, or was assigned in. */
interface Held {
  id: string;
  worker: string;
  attempt: number;
  phase: TaskPhase;
}

/**
 * A worker's report on its attempt, as the ReportWriter writes it (the phase
 * from the transition table, after the phase the worker last knew) and the
 * operator folds it: only into the attempt that is still current.
 */
export function report(
  status: DagInstanceStatus,
  held: Held,
  event: WorkerEvent,
  now: Date,
): DagInstanceStatus {
  const at = now.toISOString();
  const set: Omit<TaskStatus, 'phase'> =
    event === 'AttemptStarted'
      ? { startedAt: at }
      : event === 'AttemptSucceeded'
        ? { finishedAt: at }
        : { finishedAt: at, reason: 'ActionFailed', message: `${held.id} broke` };
  const result = resultOf(
    { task: held.id, worker: held.worker, attempt: held.attempt, event, set },
    held.phase,
  );
  const results = { [attemptKey(held.id, held.attempt)]: result };
  const { tasks } = foldResults(status.tasks ?? {}, [{ worker: held.worker, results }]);
  return { ...status, tasks };
}

export interface SimOptions {
  graph: DagGraph;
  workers: RandomWorker[];
  random: () => number;
  /** How a task's attempt ends once it runs (by task id); default AttemptSucceeded. */
  ending?: (id: string) => Ending;
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
  /**
   * Operation annotations set at a step (cancel, retry, continue): the
   * operations decided on are those not yet recorded, as the reconciler asks.
   */
  annotations?: (step: number) => Record<string, string>;
  /** The instance's share data at a step, for preChecks that read it. */
  shareData?: (step: number) => Record<string, string>;
  deadline?: Date;
  /** Probability per step that a dead worker's attempt reports late, as a zombie would. */
  zombieRate?: number;
  /** The operator's chainLookAhead; default decide's. */
  chainLookAhead?: number;
  /** Workers report a pre-assigned attempt's start before its parent succeeds (the fold must hold it). */
  eager?: boolean;
  /**
   * Called on every decision with the input it was made from; `again`
   * decides once more as the next reconcile at the same time would (same
   * live workers, their load read from that status, same annotations, share
   * data and deadline).
   */
  check?: (
    before: DagInstanceStatus,
    after: DagInstanceStatus,
    live: WorkerView[],
    now: Date,
    again: (status: DagInstanceStatus) => Decision,
  ) => void;
}

export interface SimResult {
  status: DagInstanceStatus;
  steps: number;
  kills: number;
}

/**
 * Each step decides, then the workers report progress on their own attempts
 * (Scheduled -> Running -> ending), and sometimes a worker dies (its tasks
 * stop moving, though it may still report late) or comes back.
 */
export function simulate(options: SimOptions): SimResult {
  const world = new World(options);
  for (let stepNo = 1; stepNo <= options.maxSteps; stepNo++) {
    const now = new Date(T0 + stepNo * 1000);
    const status = world.decide(stepNo, now);
    const idle = !options.annotations && status.phase === 'Blocked';
    if (instanceFinished(status.phase) || idle) {
      return { status, steps: stepNo, kills: world.kills };
    }
    world.report(now);
    world.churn();
  }
  return { status: world.status, steps: options.maxSteps, kills: world.kills };
}

class World {
  status: DagInstanceStatus = started(undefined, 'rev', new Date(T0));
  kills = 0;
  readonly #o: SimOptions;
  #live: RandomWorker[];
  readonly #dead: RandomWorker[] = [];
  readonly #zombies: Held[] = [];
  readonly #annotations: Record<string, string> = {};

  constructor(options: SimOptions) {
    this.#o = options;
    this.#live = [...options.workers];
  }

  decide(stepNo: number, now: Date): DagInstanceStatus {
    const o = this.#o;
    Object.assign(this.#annotations, o.annotations?.(stepNo));
    const shareData = o.shareData?.(stepNo);
    const reconcile = (status: DagInstanceStatus): Decision =>
      decideOnce(o.graph, status, views(this.#live, status), now, {
        operations: pendingOperations(this.#annotations, status.operations),
        ...(shareData ? { shareData } : {}),
        ...(o.deadline ? { deadline: o.deadline } : {}),
        ...(o.chainLookAhead !== undefined ? { chainLookAhead: o.chainLookAhead } : {}),
      });
    const decision = reconcile(this.status);
    o.check?.(this.status, decision.status, views(this.#live, this.status), now, reconcile);
    this.status = decision.status;
    return this.status;
  }

  /** Live workers report on their own attempts; now and then a dead one's report arrives late. */
  report(now: Date): void {
    const ending = this.#o.ending ?? (() => 'AttemptSucceeded');
    const movable = this.#held(new Set(this.#live.map((w) => w.name)));
    const forced = this.#o.forceProgress && movable.length > 0 ? this.#pick(movable) : undefined;
    for (const h of movable) {
      if (h !== forced && this.#o.random() < 0.5) continue;
      const event = h.phase === 'Scheduled' ? 'AttemptStarted' : ending(h.id);
      this.status = report(this.status, h, event, now);
    }
    const zombieRate = this.#o.zombieRate ?? 0;
    if (zombieRate > 0 && this.#zombies.length > 0 && this.#o.random() < zombieRate) {
      const late = this.#zombies.splice(this.#zombies.indexOf(this.#pick(this.#zombies)), 1);
      for (const h of late) this.status = report(this.status, h, ending(h.id), now);
    }
  }

  /** Workers come and go. */
  churn(): void {
    const o = this.#o;
    if (this.#dead.length > 0 && o.random() < (o.reviveRate ?? 0)) {
      this.#live.push(this.#dead.shift() as RandomWorker);
    }
    const killable = this.#live.filter((w) => !o.permanent?.has(w.name));
    const mayKill = this.kills < (o.maxKills ?? Infinity);
    if (mayKill && killable.length > 0 && o.random() < (o.killRate ?? 0)) {
      const victim = this.#pick(killable);
      this.#live = this.#live.filter((w) => w !== victim);
      this.#dead.push(victim);
      this.#zombies.push(...this.#held(new Set([victim.name])));
      this.kills++;
    }
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#o.random() * items.length)] as T;
  }

  /** The active attempts of the named workers that may run. */
  #held(names: ReadonlySet<string>): Held[] {
    // Keys grown at run time (fan-out copies, loop iterations) run on workers too.
    return allKeys(this.#o.graph, this.status.tasks ?? {}).flatMap((id) => {
      const t = this.status.tasks?.[id];
      const worker = t?.worker ?? '';
      if (!t || !ACTIVE_TASK_PHASES.has(t.phase) || !names.has(worker)) return [];
      // A pre-assigned attempt starts only once its parent has succeeded.
      if (!this.#o.eager && preAssignmentGate(this.status.tasks ?? {}, t) !== 'open') return [];
      return [{ id, worker, attempt: t.attempt ?? 1, phase: t.phase }];
    });
  }
}
