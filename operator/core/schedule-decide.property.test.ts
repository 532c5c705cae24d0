/**
 * The schedule decision over random schedules, policies and histories of
 * passes (the operator down for a while, suspended, status writes lost),
 * run against a model of the cluster's instances: no due time is ever
 * started twice, a pass starts at most 1 + catchUp.maxRuns runs, and Forbid
 * never has two runs unfinished at once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TERMINAL_INSTANCE_PHASES } from '../api/dag-instance.ts';
import type { DagScheduleSpec, DagScheduleStatus } from '../api/dag-schedule.ts';
import { decideSchedule, type ScheduleRun } from './schedule-decide.ts';

const CRONS = ['* * * * * *', '*/7 * * * * *', '0 * * * * *', '*/2 * * * *', '0 0 * * *'];
const created = new Date('2026-03-01T00:00:00Z');
const nameOf = (t: Date): string => `s-${t.getTime() / 1000}`;

const specArb = fc.record({
  dagRef: fc.constant({ name: 'd' }),
  schedule: fc.constantFrom(...CRONS),
  concurrencyPolicy: fc.constantFrom('Allow' as const, 'Forbid' as const, 'Replace' as const),
  catchUp: fc.option(fc.record({ maxRuns: fc.integer({ min: 0, max: 5 }) }), { nil: undefined }),
  startingDeadlineSeconds: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
  successfulRunsHistoryLimit: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
});

/** Seconds since the last pass: short, or the operator down for a while (hours when that is few due times). */
const stepArb = (perSecond: boolean): fc.Arbitrary<number> =>
  fc.oneof(
    fc.integer({ min: 0, max: 90 }),
    perSecond ? fc.integer({ min: 90, max: 900 }) : fc.integer({ min: 3600, max: 3 * 86400 }),
  );

const passArb = (perSecond: boolean) =>
  fc.record({
    step: stepArb(perSecond),
    suspend: fc.boolean(),
    /** The status write of this pass fails (its creations stand). */
    lost: fc.boolean(),
    /** Which unfinished runs finish before this pass. */
    finishing: fc.array(fc.boolean(), { maxLength: 8 }),
  });

interface Model {
  runs: Map<string, ScheduleRun>;
  status: DagScheduleStatus | undefined;
  started: Set<string>;
}

function pass(model: Model, spec: DagScheduleSpec, now: Date, lost: boolean): void {
  const runs = [...model.runs.values()];
  const active = runs.filter((r) => !TERMINAL_INSTANCE_PHASES.has(r.phase ?? 'Pending'));
  const plan = decideSchedule({
    spec,
    status: model.status,
    generation: 1,
    createdAt: created,
    runs,
    dagExists: true,
    now,
    nameOf,
  });
  const names = plan.start.map((s) => s.name);
  expect(new Set(names).size).toBe(names.length);
  expect(plan.start.length).toBeLessThanOrEqual(1 + (spec.catchUp?.maxRuns ?? 0));
  if (spec.concurrencyPolicy === 'Forbid') {
    expect(plan.start.length).toBeLessThanOrEqual(active.length > 0 ? 0 : 1);
  }
  for (const { name, due } of plan.start) {
    expect(due.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(model.started.has(name), `${name} started twice`).toBe(false);
    model.started.add(name);
    model.runs.set(name, { name, due, phase: 'Running' });
  }
  for (const name of plan.cancel) {
    const run = model.runs.get(name);
    if (run) run.phase = 'Canceled';
  }
  if (lost) return; // the controller stops at the failed status write: nothing deleted either
  model.status = plan.status;
  for (const name of plan.delete) model.runs.delete(name);
}

describe('decideSchedule over random histories', () => {
  it('never starts a due time twice, bounds catch-up, and Forbid never overlaps', () => {
    fc.assert(
      fc.property(
        specArb.chain((spec) =>
          fc.tuple(
            fc.constant(spec),
            fc.array(passArb(spec.schedule.split(' ').length === 6), {
              minLength: 1,
              maxLength: 20,
            }),
          ),
        ),
        ([spec, passes]) => {
          const model: Model = { runs: new Map(), status: undefined, started: new Set() };
          let now = created.getTime();
          for (const p of passes) {
            now += p.step * 1000;
            let i = 0;
            for (const run of model.runs.values()) {
              if (TERMINAL_INSTANCE_PHASES.has(run.phase ?? 'Pending') || !p.finishing[i++])
                continue;
              const finishedAt = now - 1;
              run.phase = 'Succeeded';
              run.finishTime = new Date(finishedAt).toISOString();
              run.finished = { key: run.name, phase: 'Succeeded', finishedAt };
            }
            pass(model, { ...spec, suspend: p.suspend }, new Date(now), p.lost);
            if (spec.concurrencyPolicy === 'Forbid') {
              const unfinished = [...model.runs.values()].filter(
                (r) => !TERMINAL_INSTANCE_PHASES.has(r.phase ?? 'Pending'),
              );
              expect(unfinished.length).toBeLessThanOrEqual(1);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
