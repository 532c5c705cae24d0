/**
 * `kubectl fastflow schedule` as a user runs it (test/support/plugin-cli.ts),
 * against a real operator: backfill, trigger, list, and kubectl's own
 * columns for DagSchedules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { plugin } from '../support/plugin-cli.ts';
import { scheduleHelpers } from '../support/schedules.ts';

let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('plugin-schedule'));
  env.startOperator('operator-a');
  env.startWorker('worker');
  await env.createDag('tick', { tasks: [{ id: 'a', actionName: 'print' }] });
});
afterAll(async () => env.stop());

const { createSchedule, getSchedule, runsOf, eventually } = scheduleHelpers(() => env);
const notReady = async (name: string) =>
  (await getSchedule(name)).status?.conditions?.find(
    (c) => c.type === 'Ready' && c.status === 'False',
  );

describe('kubectl fastflow schedule', () => {
  const ns = (): string[] => ['-n', env.namespace];
  const weekly = {
    dagRef: { name: 'tick' },
    schedule: '0 3 * * 1',
    timeZone: 'Europe/Berlin',
    successfulRunsHistoryLimit: 10,
  };

  it('backfills the runs of a past window, once however often it is asked, within --max', async () => {
    await createSchedule('weekly', weekly);
    const window = ['--from', '2025-01-01', '--to', '2025-01-31T23:59:59Z'];
    const first = await plugin(['schedule', 'backfill', 'weekly', ...window, ...ns()]);
    expect(first.stderr).toBe('');
    // Mondays of January 2025 at 03:00 in Berlin (02:00 UTC).
    const names = [6, 13, 20, 27].map(
      (d) => `weekly-${Date.parse(`2025-01-${String(d).padStart(2, '0')}T02:00:00Z`) / 1000}`,
    );
    expect(first.stdout.split('\n').slice(0, 4)).toEqual(
      names.map((n) => `daginstance.fastflow.io/${n} created`),
    );
    expect(first.stdout).toContain('4 created, 0 existed');
    const again = await plugin(['schedule', 'backfill', 'weekly', ...window, ...ns()]);
    expect(again.stdout).toContain('0 created, 4 existed');
    expect((await runsOf('weekly')).map((r) => r.metadata.name).sort()).toEqual(names);
    const wide = await plugin([
      'schedule',
      'backfill',
      'weekly',
      '--from',
      '2025-01-01',
      '--to',
      '2025-12-31',
      '--max',
      '10',
      ...ns(),
    ]);
    expect(wide.code).toBe(1);
    expect(wide.stderr).toContain('52 runs are due from 2025-01-01T00:00:00.000Z');
    expect(wide.stderr).toContain('more than --max 10');
  });

  it('triggers a run now, lists schedules, and names a schedule that does not exist', async () => {
    const trigger = await plugin(['schedule', 'trigger', 'weekly', ...ns()]);
    const name = /^daginstance\.fastflow\.io\/(weekly-manual-\d{10}) created\n$/.exec(
      trigger.stdout,
    )?.[1];
    expect(name, trigger.stdout + trigger.stderr).toBeDefined();
    expect((await env.finished(name!)).status?.phase).toBe('Succeeded');
    const get = await env.kubectl(['get', 'dagsched', 'weekly', '-n', env.namespace]);
    expect(get.stdout.split('\n')[0]).toMatch(/^NAME +SCHEDULE +LAST +NEXT +ACTIVE +SUSPEND +AGE$/);
    expect(get.stdout.split('\n')[1]).toMatch(/^weekly +0 3 \* \* 1 +\S+Z +0 +\S+$/);
    await createSchedule('bad-minute', { dagRef: { name: 'tick' }, schedule: '61 * * * *' });
    await eventually('bad-minute not ready', () => notReady('bad-minute'));
    const list = await plugin(['schedule', 'list', ...ns()]);
    expect(list.stdout.split('\n')[0]).toMatch(
      /^NAME +SCHEDULE +SUSPEND +ACTIVE +LAST +NEXT +AGE +READY$/,
    );
    expect(list.stdout).toMatch(/\nweekly +0 3 \* \* 1 \(Europe\/Berlin\) +false /);
    expect(list.stdout).toMatch(/\nbad-minute .* False: schedule "61 \* \* \* \*": Invalid value/);
    const missing = await plugin(['schedule', 'trigger', 'nope', ...ns()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`dagschedule "nope" not found in namespace ${env.namespace}`);
  });
});
