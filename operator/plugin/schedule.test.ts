import { describe, expect, it } from 'vitest';
import type { DagSchedule } from '../api/objects.ts';
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
});
