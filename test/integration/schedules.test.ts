/**
 * DagSchedules on the real control plane, with a real operator and worker.
 * Time is not injected here: schedules due every second, and each test
 * waits for what it expects to see (a run, a condition, a count), never for
 * a fixed time as proof that nothing happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_INSTANCE_PHASES } from '../../operator/api/dag-instance.ts';
import { SCHEDULED_TIME_ANNOTATION } from '../../operator/api/names.ts';
import type { DagInstance, DagSchedule } from '../../operator/api/objects.ts';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { docObject } from '../support/doc-examples.ts';
import { refusal } from '../support/kube-requests.ts';
import { plugin } from '../support/plugin-cli.ts';
import { scheduleHelpers } from '../support/schedules.ts';

let env: FastflowEnv;
const print = [{ id: 'a', actionName: 'print' }];

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('schedules'));
  env.startOperator('operator-a');
  env.startWorker('worker');
  await env.createDag('tick', { tasks: print });
});
afterAll(async () => env.stop());

const { createSchedule, getSchedule, runsOf, eventually } = scheduleHelpers(() => env);

type EventItem = { reason: string; regarding: { name: string } };
const ready = (s: DagSchedule) => s.status?.conditions?.find((c) => c.type === 'Ready');
const unfinished = (runs: DagInstance[]) =>
  runs.filter((r) => !TERMINAL_INSTANCE_PHASES.has(r.status?.phase ?? 'Pending'));

describe('DagSchedule admission', () => {
  it('refuses a malformed cron, time zone, policy, catch-up bound or var name', async () => {
    const base = { dagRef: { name: 'tick' }, schedule: '* * * * *' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, schedule: '* * *' }, 'spec.schedule'],
      [{ ...base, timeZone: 'Europe Berlin' }, 'spec.timeZone'],
      [{ ...base, concurrencyPolicy: 'Sometimes' }, 'spec.concurrencyPolicy: Unsupported value'],
      [{ ...base, catchUp: { maxRuns: 1000 } }, 'spec.catchUp.maxRuns'],
      [{ ...base, vars: { '1bad': 'x' } }, 'var names start with a letter'],
      [{ ...base, startingDeadlineSeconds: 0 }, 'spec.startingDeadlineSeconds'],
    ];
    for (const [spec, message] of cases) {
      const r = await refusal(createSchedule('refused', spec));
      expect(r.code, JSON.stringify(spec)).toBe(422);
      expect(r.stderr).toContain(message);
    }
  });
});

describe('DagSchedule', () => {
  it('starts runs as they fall due: named by due time, labelled, owned; Forbid; history limits', async () => {
    await createSchedule('every-sec', {
      dagRef: { name: 'tick' },
      schedule: '* * * * * *',
      concurrencyPolicy: 'Forbid',
      successfulRunsHistoryLimit: 2,
    });
    const uid = (await getSchedule('every-sec')).metadata.uid;
    let overlapping = 0;
    const first = await eventually('a succeeded run', async () => {
      const runs = await runsOf('every-sec');
      overlapping = Math.max(overlapping, unfinished(runs).length);
      return runs.find((r) => r.status?.phase === 'Succeeded');
    });
    const unix = /^every-sec-(\d{10})$/.exec(first.metadata.name)?.[1];
    expect(unix).toBeDefined();
    expect(first.metadata.annotations?.[SCHEDULED_TIME_ANNOTATION]).toBe(
      new Date(Number(unix) * 1000).toISOString(),
    );
    expect(first.metadata['ownerReferences']).toEqual([
      expect.objectContaining({ kind: 'DagSchedule', name: 'every-sec', uid, controller: true }),
    ]);
    // Several runs later, suspend it: the finished runs beyond the limit go.
    await eventually('five runs started', async () => {
      const last = (await getSchedule('every-sec')).status?.lastScheduleTime;
      return last && Date.parse(last) >= Number(unix) * 1000 + 4000 ? last : undefined;
    });
    expect((await plugin(['schedule', 'suspend', 'every-sec', '-n', env.namespace])).stdout).toBe(
      'dagschedule.fastflow.io/every-sec suspended\n',
    );
    await eventually('two succeeded runs kept', async () => {
      const runs = await runsOf('every-sec');
      overlapping = Math.max(overlapping, unfinished(runs).length);
      const done = runs.every((r) => r.status?.phase === 'Succeeded');
      return runs.length === 2 && done ? runs : undefined;
    });
    expect(overlapping, 'Forbid: unfinished runs at once').toBeLessThanOrEqual(1);
    const status = (await getSchedule('every-sec')).status;
    expect(status?.nextScheduleTime).toBeUndefined();
    expect(ready(await getSchedule('every-sec'))?.reason).toBe('Suspended');
  });

  it('runs the example of docs/schedules.md as written', async () => {
    const dag = docObject('schedules.md', 'Dag', 'hello-schedule');
    await env.createDag(dag.metadata.name, dag.spec as Record<string, unknown>);
    const schedule = docObject('schedules.md', 'DagSchedule', 'hello-every-10s');
    await createSchedule(schedule.metadata.name, schedule.spec as Record<string, unknown>);
    const run = await eventually('a succeeded run of the example', async () =>
      (await runsOf('hello-every-10s')).find((r) => r.status?.phase === 'Succeeded'),
    );
    expect(run.spec).toEqual({ dagRef: { name: 'hello-schedule' }, vars: { who: 'schedules' } });
    await plugin(['schedule', 'suspend', 'hello-every-10s', '-n', env.namespace]);
  });

  it('Replace: a run due while one runs cancels it and starts', async () => {
    await env.createDag('slow', {
      tasks: [{ id: 'a', actionName: 'sleep', params: { seconds: 30 } }],
    });
    await createSchedule('replacing', {
      dagRef: { name: 'slow' },
      schedule: '*/2 * * * * *',
      concurrencyPolicy: 'Replace',
      failedRunsHistoryLimit: 10,
    });
    const replaced = await eventually('a run canceled for a newer one', async () =>
      (await runsOf('replacing')).find((r) => r.status?.phase === 'Canceled'),
    );
    await plugin(['schedule', 'suspend', 'replacing', '-n', env.namespace]);
    const newer = replaced.metadata.annotations?.['fastflow.io/cancel'];
    expect(newer).toMatch(/^replaced-by-replacing-\d{10}$/);
    const runs = await runsOf('replacing');
    expect(runs.map((r) => r.metadata.name)).toContain(newer?.slice('replaced-by-'.length));
  });

  it('reports bad input in its Ready condition; a Dag that appears later starts it', async () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['bad-minute', { schedule: '61 * * * *' }, 'InvalidSchedule', 'Invalid value for minute: 61'],
      ['bad-zone', { timeZone: 'Mars/Olympus_Mons' }, 'UnknownTimeZone', 'not an IANA time zone'],
      ['no-dag', { dagRef: { name: 'late' } }, 'DagNotFound', 'Dag "late" not found'],
    ];
    for (const [name, spec] of cases) {
      await createSchedule(name, { dagRef: { name: 'tick' }, schedule: '* * * * * *', ...spec });
    }
    for (const [name, , reason, message] of cases) {
      const condition = await eventually(`${name} not ready`, async () => {
        const c = ready(await getSchedule(name));
        return c?.status === 'False' ? c : undefined;
      });
      expect(condition).toMatchObject({ reason, message: expect.stringContaining(message) });
    }
    await env.createDag('late', { tasks: print });
    await eventually('a run of the Dag that came late', async () => (await runsOf('no-dag'))[0]);
    await plugin(['schedule', 'suspend', 'no-dag', '-n', env.namespace]);
  });

  it('resumed, catches up the newest missed runs up to catchUp.maxRuns and counts the rest', async () => {
    await createSchedule('catch-up', {
      dagRef: { name: 'tick' },
      schedule: '* * * * * *',
      suspend: true,
      catchUp: { maxRuns: 2 },
      successfulRunsHistoryLimit: 100,
    });
    const created = Date.parse((await getSchedule('catch-up')).metadata.creationTimestamp ?? '');
    await eventually('suspended', async () => {
      const s = await getSchedule('catch-up');
      return ready(s)?.reason === 'Suspended' ? s : undefined;
    });
    // Runs fall due while it is suspended (waiting for the clock, not for an outcome).
    await eventually('six seconds due', () =>
      Promise.resolve(Date.now() > created + 6500 ? true : undefined),
    );
    const resumed = await plugin(['schedule', 'resume', 'catch-up', '-n', env.namespace]);
    expect(resumed.stdout).toBe('dagschedule.fastflow.io/catch-up resumed\n');
    const status = await eventually('missed runs counted', async () => {
      const s = (await getSchedule('catch-up')).status;
      return (s?.missedRuns ?? 0) > 0 ? s : undefined;
    });
    await plugin(['schedule', 'suspend', 'catch-up', '-n', env.namespace]);
    expect(status.missedRuns).toBeGreaterThanOrEqual(3);
    const due = (await runsOf('catch-up'))
      .map((r) => Date.parse(r.metadata.annotations?.[SCHEDULED_TIME_ANNOTATION] ?? ''))
      .sort();
    // The oldest three runs: the newest due at resume and the two missed just before it.
    expect(due[1]! - due[0]!).toBe(1000);
    expect(due[2]! - due[1]!).toBe(1000);
    expect(due[0]! - created).toBeGreaterThanOrEqual(3000);
    // Events are written in the background: wait for both.
    await eventually('MissedRuns and ScheduledRun Events', async () => {
      const events = await env.kubectl([
        'get',
        'events.events.k8s.io',
        '-n',
        env.namespace,
        '-o',
        'json',
      ]);
      const items = (JSON.parse(events.stdout) as { items: EventItem[] }).items;
      const reasons = new Set(
        items.filter((e) => e.regarding.name === 'catch-up').map((e) => e.reason),
      );
      return reasons.has('MissedRuns') && reasons.has('ScheduledRun') ? true : undefined;
    });
  });
});
