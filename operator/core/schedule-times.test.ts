import { describe, expect, it } from 'vitest';
import {
  isScheduleProblem,
  MAX_COUNTED,
  readSchedule,
  type ScheduleTimes,
} from './schedule-times.ts';

const now = new Date('2026-03-01T12:00:00Z');
const at = (iso: string): Date => new Date(iso);

function times(expr: string, zone?: string): ScheduleTimes {
  const r = readSchedule(expr, zone, now);
  if (isScheduleProblem(r)) throw new Error(r.message);
  return r;
}

describe('readSchedule', () => {
  it('refuses a field out of range, an unknown time zone and a schedule never due', () => {
    expect(readSchedule('61 * * * *', undefined, now)).toEqual({
      reason: 'InvalidSchedule',
      message: 'schedule "61 * * * *": Invalid value for minute: 61',
    });
    expect(readSchedule('* * * * * * *', undefined, now)).toMatchObject({
      reason: 'InvalidSchedule',
    });
    expect(readSchedule('* * * * *', 'Mars/Olympus_Mons', now)).toMatchObject({
      reason: 'UnknownTimeZone',
      message: expect.stringContaining('"Mars/Olympus_Mons" is not an IANA time zone'),
    });
    expect(readSchedule('0 0 30 2 *', undefined, now)).toMatchObject({ reason: 'NeverDue' });
  });

  it('reads the expression in its time zone', () => {
    expect(times('0 9 * * *', 'America/New_York').next(now)).toEqual(at('2026-03-01T14:00:00Z'));
    expect(times('0 9 * * *').next(now)).toEqual(at('2026-03-02T09:00:00Z'));
    expect(times('@hourly').next(now)).toEqual(at('2026-03-01T13:00:00Z'));
  });

  it('a window holds (after, upTo]: its count and its newest times, oldest first', () => {
    const w = times('*/10 * * * *').window(at('2026-03-01T11:00:00Z'), now, 2);
    expect(w).toEqual({
      count: 6,
      capped: false,
      newest: [at('2026-03-01T11:50:00Z'), at('2026-03-01T12:00:00Z')],
    });
    expect(times('*/10 * * * *').window(now, now, 3)).toEqual({
      count: 0,
      capped: false,
      newest: [],
    });
  });

  it('counts a long window up to MAX_COUNTED and says it stopped there', () => {
    const w = times('* * * * * *').window(at('2026-03-01T00:00:00Z'), now, 1);
    expect(w).toEqual({ count: MAX_COUNTED, capped: true, newest: [now] });
  });
});
