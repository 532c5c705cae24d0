import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../api/dag.ts';
import {
  DagInstanceStatus as DagInstanceStatusSchema,
  TASK_PHASES,
  TERMINAL_INSTANCE_PHASES,
  type DagInstanceStatus,
  type TaskPhase,
} from '../api/dag-instance.ts';
import { OPERATION_ANNOTATIONS, type OperationName } from '../api/names.ts';
import {
  T0,
  prng,
  randomDag,
  randomWorkers,
  simulate,
} from '../../test/support/decide-simulation.ts';
import { graphOf } from '../../test/support/decide-fixtures.ts';
import {
  OPERATOR_EVENTS,
  TASK_TRANSITIONS,
  WORKER_EVENTS,
  canApply,
  phaseOf,
} from './task-transitions.ts';

/** The phases one decide may leave a task in from `from`: any path of operator rows, or none. */
function byDecide(from: TaskPhase): ReadonlySet<TaskPhase> {
  const seen = new Set<TaskPhase>([from]);
  for (const phase of seen) {
    for (const e of OPERATOR_EVENTS) if (canApply(phase, e)) seen.add(TASK_TRANSITIONS[e].to);
  }
  return seen;
}
const DECIDE_REACHES = new Map(TASK_PHASES.map((p) => [p, byDecide(p)]));

/** Whether one worker report takes a task from `from` to `to`: one worker row. */
const byReport = (from: TaskPhase, to: TaskPhase): boolean =>
  WORKER_EVENTS.some((e) => canApply(from, e) && TASK_TRANSITIONS[e].to === to);

const SHARE_KEYS = ['k0', 'k1', 'k2'];

/** Random Dags whose tasks may retry, and may be skipped or blocked by share data that changes. */
const dagWithPolicies = randomDag.chain(({ tasks }) =>
  fc
    .array(
      fc.record({
        limit: fc.option(fc.integer({ min: 0, max: 2 })),
        seconds: fc.constantFrom(0, 1, 3),
        check: fc.option(fc.constantFrom('skip' as const, 'block' as const)),
      }),
      { minLength: tasks.length, maxLength: tasks.length },
    )
    .map((policies) =>
      tasks.map((t, i): TaskSpec => {
        const { limit, seconds, check } = policies[i] ?? {};
        const key = SHARE_KEYS[i % SHARE_KEYS.length] ?? 'k0';
        return {
          ...t,
          ...(limit != null
            ? { retry: { limit, backoff: { seconds: seconds ?? 0, factor: 2 } } }
            : {}),
          ...(check
            ? {
                preCheck: [
                  { act: check, conditions: [{ source: 'share-data', key, op: 'exists' }] },
                ],
              }
            : {}),
        };
      }),
    ),
);

/**
 * Now and then an operation annotation: a fresh value, on every task it
 * applies to or on a few named ones; or a value set before (to be refused,
 * never applied twice); or one too long to record (to be refused, never to
 * wedge the instance).
 */
function randomAnnotations(
  random: () => number,
  ids: readonly string[],
  rate: number,
): (step: number) => Record<string, string> {
  const names = Object.keys(OPERATION_ANNOTATIONS) as OperationName[];
  const used = new Map<OperationName, string[]>(names.map((n) => [n, []]));
  return (step) => {
    if (random() >= rate) return {};
    // After a pause, often a resume: a paused run that never resumes shows little.
    const paused = (used.get('pause')?.length ?? 0) > (used.get('resume')?.length ?? 0);
    const name =
      paused && random() < 0.5
        ? 'resume'
        : (names[Math.floor(random() * names.length)] ?? 'cancel');
    const before = used.get(name) ?? [];
    const kind = random();
    // A rerun names one task (more is refused): mostly one, to see reruns applied.
    const one = name === 'rerun' && random() < 0.8;
    // Pause, resume and restart name no task (one that does is refused): mostly none.
    const whole = ['pause', 'resume', 'restart'].includes(name) ? 0.9 : 0.5;
    const tasks = one
      ? [ids[Math.floor(random() * ids.length)] ?? 't0']
      : random() < whole
        ? []
        : ids.filter(() => random() < 0.3);
    let value = `${step}${tasks.length ? `:${tasks.join(',')}` : ''}`;
    // A value of this operation's before the last one: the last is still set, so not asked again.
    const older = before.slice(0, -1);
    if (kind < 0.3 && older.length > 0) value = older[Math.floor(random() * older.length)] ?? value;
    else if (kind < 0.4) value = `${step}:${Array.from({ length: 400 }, () => 't0').join(',')}`;
    before.push(value);
    return { [OPERATION_ANNOTATIONS[name]]: value };
  };
}

/** Which phase changes a run went through, by whom: to see that the runs cover the table. */
const seen = new Set<string>();

function checkChanges(
  from: DagInstanceStatus,
  to: DagInstanceStatus,
  ids: readonly string[],
  by: 'decide' | 'report',
): void {
  for (const id of ids) {
    const was = phaseOf(from.tasks?.[id]);
    const is = phaseOf(to.tasks?.[id]);
    if (was !== is) seen.add(`${was} -> ${is} by ${by}`);
    const legal =
      by === 'decide' ? DECIDE_REACHES.get(was)?.has(is) : was === is || byReport(was, is);
    expect(legal, `${id}: ${was} -> ${is} by ${by}`).toBe(true);
  }
}

/** Each operation value is applied at most once, and each record bounded. */
function checkOperations(
  before: DagInstanceStatus,
  after: DagInstanceStatus,
  applied: Set<string>,
): void {
  for (const name of Object.keys(OPERATION_ANNOTATIONS) as OperationName[]) {
    const record = after.operations?.[name];
    if (!record || record === before.operations?.[name]) continue;
    if (record.result === 'Applied') {
      expect(applied.has(`${name}=${record.value}`), `${name}=${record.value} twice`).toBe(false);
      applied.add(`${name}=${record.value}`);
      seen.add('operation applied');
      seen.add(`operation applied: ${name}`);
    } else if (record.message.includes('acted on before')) seen.add('operation refused: again');
    else if (record.message.includes('characters long')) seen.add('operation refused: too long');
    else seen.add('operation refused');
  }
}

/** A paused instance starts nothing: every task placed was placed before (or moved from a lost worker). */
function checkPaused(
  before: DagInstanceStatus,
  after: DagInstanceStatus,
  ids: readonly string[],
): void {
  if (after.pausedAt === undefined) return;
  if (!TERMINAL_INSTANCE_PHASES.has(after.phase ?? 'Running')) expect(after.phase).toBe('Paused');
  for (const id of ids) {
    if (phaseOf(after.tasks?.[id]) !== 'Scheduled') continue;
    const was = phaseOf(before.tasks?.[id]);
    expect(was === 'Scheduled' || was === 'Running', `${id}: ${was} started while paused`).toBe(
      true,
    );
    seen.add('paused');
  }
}

// Hundreds of simulated runs: seconds on a loaded 2-core machine, above vitest's 5 s default.
describe('decide and worker reports', { timeout: 60_000 }, () => {
  it('never move a task outside the transition table, and each decision is a fixed point', () => {
    fc.assert(
      fc.property(
        dagWithPolicies,
        randomWorkers,
        fc.noShrink(fc.integer()),
        fc.option(fc.integer({ min: 5, max: 60 })),
        (tasks, workers, seed, deadlineStep) => {
          const graph = graphOf(tasks);
          const random = prng(seed);
          const deadline = deadlineStep != null ? new Date(T0 + deadlineStep * 1000) : undefined;
          const applied = new Set<string>();
          let reported: DagInstanceStatus | undefined;
          simulate({
            graph,
            workers,
            random,
            ending: () => (random() < 0.3 ? 'AttemptFailed' : 'AttemptSucceeded'),
            killRate: 0.1,
            reviveRate: 0.2,
            zombieRate: 0.3,
            annotations: randomAnnotations(random, graph.order, 0.15),
            shareData: () =>
              Object.fromEntries(SHARE_KEYS.filter(() => random() < 0.2).map((k) => [k, 'y'])),
            ...(deadline ? { deadline } : {}),
            maxSteps: 80,
            check: (before, after, _live, now, again) => {
              // What the workers wrote since the last decision, then the decision itself.
              if (reported) checkChanges(reported, before, graph.order, 'report');
              checkChanges(before, after, graph.order, 'decide');
              // What decide writes is what the CRD accepts, whatever the operations asked.
              const parsed = DagInstanceStatusSchema.safeParse(after);
              expect(parsed.success, parsed.error?.message).toBe(true);
              // The fixed point: the next reconcile, at the same time, changes nothing.
              const next = again(after);
              expect(next.assigned).toEqual([]);
              expect(next.status).toEqual(after);
              checkOperations(before, after, applied);
              checkPaused(before, after, graph.order);
              // Past the deadline the instance has finished, in the same pass.
              if (deadline && now >= deadline) {
                expect(TERMINAL_INSTANCE_PHASES.has(after.phase ?? 'Running')).toBe(true);
              }
              reported = after;
            },
          });
        },
      ),
      { numRuns: 150 },
    );
    // The runs went through every kind of row: a property that never retries, cancels, loses a
    // worker or passes a deadline would hold for nothing.
    const wanted = [
      'Pending -> Scheduled by decide',
      'Pending -> Skipped by decide',
      'Pending -> Blocked by decide',
      'Scheduled -> Running by report',
      'Running -> Succeeded by report',
      'Running -> Failed by report',
      'Failed -> Retrying by decide',
      'Retrying -> Scheduled by decide',
      'Running -> Scheduled by decide',
      'Running -> Canceled by decide',
      'Running -> Failed by decide',
      'Blocked -> Pending by decide',
      'Retrying -> Failed by decide',
      'Blocked -> Failed by decide',
      'operation applied',
      'operation refused',
      'operation refused: again',
      'operation refused: too long',
      ...(Object.keys(OPERATION_ANNOTATIONS) as OperationName[]).map(
        (n) => `operation applied: ${n}`,
      ),
      'Succeeded -> Scheduled by decide',
      'paused',
    ];
    expect(wanted.filter((w) => !seen.has(w))).toEqual([]);
  });
});
