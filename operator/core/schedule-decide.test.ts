import { describe, expect, it } from 'vitest';
import type { DagScheduleSpec, DagScheduleStatus } from '../api/dag-schedule.ts';
import { decideSchedule, type ScheduleInput, type ScheduleRun } from './schedule-decide.ts';

const created = new Date('2026-03-01T00:00:00Z');
const at = (iso: string): Date => new Date(`2026-03-01T${iso}Z`);
const nameOf = (t: Date): string => `nightly-${t.getTime() / 1000}`;

function input(
  spec: Partial<DagScheduleSpec>,
  now: Date,
  more: Partial<ScheduleInput> = {},
): ScheduleInput {
  return {
    spec: { dagRef: { name: 'etl' }, schedule: '0 * * * *', ...spec },
    status: undefined,
    generation: 1,
    createdAt: created,
    runs: [],
    dagExists: true,
    now,
    nameOf,
    ...more,
  };
}
const caughtUp = (iso: string): DagScheduleStatus => ({ caughtUpTo: at(iso).toISOString() });
const running = (t: Date): ScheduleRun => ({ name: nameOf(t), phase: 'Running' });

describe('decideSchedule', () => {
  it('starts the run that is due, names it by its time, and wakes at the next', () => {
    const plan = decideSchedule(input({}, at('01:00:02')));
    expect(plan.start).toEqual([{ name: 'nightly-1772326800', due: at('01:00:00') }]);
    expect(plan.wakeAt).toEqual(at('02:00:00'));
    expect(plan.status).toMatchObject({
      caughtUpTo: at('01:00:00').toISOString(),
      lastScheduleTime: at('01:00:00').toISOString(),
      nextScheduleTime: at('02:00:00').toISOString(),
      active: ['nightly-1772326800'],
      activeCount: 1,
      missedRuns: 0,
    });
    expect(plan.status.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'True' });
  });

  it('does not start a run whose instance exists (a pass whose status write was lost)', () => {
    const plan = decideSchedule(input({}, at('01:00:02'), { runs: [running(at('01:00:00'))] }));
    expect(plan.start).toEqual([]);
    expect(plan.status.caughtUpTo).toBe(at('01:00:00').toISOString());
  });

  it('catches up the newest maxRuns missed runs, oldest first, and counts the rest', () => {
    const plan = decideSchedule(
      input({ catchUp: { maxRuns: 2 } }, at('05:30:00'), { status: caughtUp('00:00:00') }),
    );
    expect(plan.start.map((s) => s.due)).toEqual([at('03:00:00'), at('04:00:00'), at('05:00:00')]);
    expect(plan.missed).toBe(2);
    expect(plan.status.missedRuns).toBe(2);
    expect(plan.events).toEqual([
      expect.objectContaining({ reason: 'MissedRuns', note: expect.stringMatching(/^2 run\(s\)/) }),
    ]);
  });

  it('without catchUp only the newest due run starts, as a CronJob', () => {
    const plan = decideSchedule(input({}, at('05:30:00'), { status: caughtUp('00:00:00') }));
    expect(plan.start.map((s) => s.due)).toEqual([at('05:00:00')]);
    expect(plan.missed).toBe(4);
  });

  it('startingDeadlineSeconds: a run later than its deadline is missed', () => {
    const plan = decideSchedule(
      input({ startingDeadlineSeconds: 60 }, at('01:02:00'), { status: caughtUp('00:00:00') }),
    );
    expect(plan.start).toEqual([]);
    expect(plan.missed).toBe(1);
    expect(plan.status.caughtUpTo).toBe(at('01:00:00').toISOString());
  });

  it('Forbid: nothing starts while a run is unfinished; the due run waits, then starts', () => {
    const spec = { concurrencyPolicy: 'Forbid' as const };
    const busy = decideSchedule(
      input(spec, at('02:00:05'), {
        status: caughtUp('01:00:00'),
        runs: [running(at('01:00:00'))],
      }),
    );
    expect(busy.start).toEqual([]);
    expect(busy.missed).toBe(0);
    const free = decideSchedule(
      input(spec, at('02:10:00'), {
        status: busy.status,
        runs: [{ name: nameOf(at('01:00:00')), phase: 'Succeeded' }],
      }),
    );
    expect(free.start.map((s) => s.due)).toEqual([at('02:00:00')]);
  });

  it('Replace: cancels the unfinished runs and starts the due one', () => {
    const plan = decideSchedule(
      input({ concurrencyPolicy: 'Replace' }, at('02:00:01'), {
        status: caughtUp('01:00:00'),
        runs: [running(at('01:00:00')), { ...running(at('00:00:00')), cancelAsked: true }],
      }),
    );
    expect(plan.start.map((s) => s.due)).toEqual([at('02:00:00')]);
    expect(plan.cancel).toEqual([nameOf(at('01:00:00'))]);
  });

  it('suspended: nothing starts, the cursor stays, no next time; resuming catches up', () => {
    const spec = { suspend: true, catchUp: { maxRuns: 1 } };
    const plan = decideSchedule(input(spec, at('03:30:00'), { status: caughtUp('00:00:00') }));
    expect(plan.start).toEqual([]);
    expect(plan.status.caughtUpTo).toBe(at('00:00:00').toISOString());
    expect(plan.status.nextScheduleTime).toBeUndefined();
    expect(plan.wakeAt).toBeUndefined();
    const resumed = decideSchedule(
      input({ ...spec, suspend: false }, at('03:30:00'), { status: plan.status }),
    );
    expect(resumed.start.map((s) => s.due)).toEqual([at('02:00:00'), at('03:00:00')]);
    expect(resumed.missed).toBe(1);
  });

  it('refuses bad input with a Ready=False condition, once as an Event', () => {
    const cases: [Partial<DagScheduleSpec>, boolean, string, string][] = [
      [{ schedule: '61 * * * *' }, true, 'InvalidSchedule', 'Invalid value for minute: 61'],
      [{ timeZone: 'Nowhere/Land' }, true, 'UnknownTimeZone', '"Nowhere/Land" is not an IANA'],
      [{ schedule: '0 0 31 2 *' }, true, 'NeverDue', 'never due'],
      [{}, false, 'DagNotFound', 'Dag "etl" not found'],
    ];
    for (const [spec, dagExists, reason, text] of cases) {
      const plan = decideSchedule(input(spec, at('01:00:02'), { dagExists }));
      expect(plan.start).toEqual([]);
      const ready = plan.status.conditions?.[0];
      expect(ready).toMatchObject({ type: 'Ready', status: 'False', reason });
      expect(ready?.message).toContain(text);
      expect(plan.events).toEqual([expect.objectContaining({ reason: 'InvalidSchedule' })]);
      const again = decideSchedule(input(spec, at('01:00:03'), { dagExists, status: plan.status }));
      expect(again.events).toEqual([]);
    }
  });

  it('deletes the finished runs beyond the history limits, oldest first', () => {
    const finished = (h: number, phase: 'Succeeded' | 'Failed'): ScheduleRun => {
      const name = nameOf(at(`0${h}:00:00`));
      const finishedAt = at(`0${h}:30:00`).getTime();
      return { name, phase, finished: { key: name, phase, finishedAt } };
    };
    const runs = [
      finished(1, 'Succeeded'),
      finished(2, 'Succeeded'),
      finished(3, 'Failed'),
      finished(4, 'Failed'),
    ];
    const plan = decideSchedule(
      input({ successfulRunsHistoryLimit: 1 }, at('04:40:00'), {
        runs,
        status: caughtUp('04:00:00'),
      }),
    );
    expect(plan.delete.sort()).toEqual([nameOf(at('01:00:00')), nameOf(at('03:00:00'))]);
  });
});
