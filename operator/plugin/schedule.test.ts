import { describe, expect, it } from 'vitest';
import type { DagSchedule } from '../api/dag-schedule.ts';
import { makePaint } from './color.ts';
import type { IO } from './io.ts';
import { runPlugin } from './program.ts';
import { scheduleTable } from './schedule.ts';

const now = new Date('2026-03-01T12:00:00Z');

function schedule(name: string, extra: Partial<DagSchedule> = {}): DagSchedule {
  return {
    apiVersion: 'fastflow.io/v1alpha1',
    kind: 'DagSchedule',
    metadata: { name, namespace: 'ns', creationTimestamp: '2026-03-01T11:00:00Z' },
    spec: { dagRef: { name: 'etl' }, schedule: '0 * * * *' },
    ...extra,
  };
}

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: IO = {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    isTTY: false,
    columns: 0,
    paint: makePaint(false),
    errPaint: makePaint(false),
    // No kubeconfig anywhere: a command that got past its checks would say so.
    env: { HOME: '/nonexistent' },
    now: () => now,
  };
  const code = await runPlugin(args, io);
  return { code, stdout, stderr };
}

describe('kubectl fastflow schedule', () => {
  it('lists schedules as kubectl get dagsched would, with why one is not ready', () => {
    const lines = scheduleTable(
      [
        schedule('nightly', {
          spec: { dagRef: { name: 'etl' }, schedule: '0 2 * * *', timeZone: 'Europe/Berlin' },
          status: {
            lastScheduleTime: '2026-03-01T01:00:00Z',
            nextScheduleTime: '2026-03-02T01:00:00.000Z',
            activeCount: 1,
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'Scheduled',
                message: 'ok',
                lastTransitionTime: '2026-03-01T11:00:00Z',
              },
            ],
          },
        }),
        schedule('broken', {
          spec: { dagRef: { name: 'etl' }, schedule: '61 * * * *', suspend: true },
          status: {
            conditions: [
              {
                type: 'Ready',
                status: 'False',
                reason: 'InvalidSchedule',
                message: 'schedule "61 * * * *": Invalid value for minute: 61',
                lastTransitionTime: '2026-03-01T11:00:00Z',
              },
            ],
          },
        }),
      ],
      now,
    );
    expect(lines).toEqual([
      'NAME      SCHEDULE                    SUSPEND   ACTIVE   LAST      NEXT                       AGE   READY',
      'broken    61 * * * *                  true      0        <none>    <none>                     60m   False: schedule "61 * * * *": Invalid value for minute: 61',
      'nightly   0 2 * * * (Europe/Berlin)   false     1        11h ago   2026-03-02T01:00:00.000Z   60m   True',
    ]);
  });

  it('is in the help, with its commands', async () => {
    const help = await run(['schedule', '--help']);
    expect(help.code).toBe(0);
    for (const c of ['list', 'suspend', 'resume', 'trigger', 'backfill']) {
      expect(help.stdout).toContain(`  ${c} `);
    }
  });

  it('refuses a backfill window it cannot read before reaching a cluster', async () => {
    const cases: [string[], string][] = [
      [['--from', 'yesterday', '--to', '2026-03-01'], '--from "yesterday": not a time'],
      [['--from', '2026-03-01', '--to', '2026-02-01'], 'is after --to'],
      [['--from', '2026-03-01', '--to', '2026-03-05'], 'is in the future'],
      [['--from', '2026-02-01', '--to', '2026-03-01', '--max', '0'], '--max "0": a whole number'],
      [['--from', '2026-02-01', '--to', '2026-03-01', '--max', '5000'], 'from 1 to 1000'],
    ];
    for (const [flags, message] of cases) {
      const r = await run(['schedule', 'backfill', 'nightly', ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const missing = await run(['schedule', 'backfill', 'nightly', '--to', '2026-03-01']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--from <time>' not specified");
    const badName = await run(['schedule', 'trigger', 'Not_A_Name']);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('schedule name "Not_A_Name" is not a valid name');
  });
});
