/**
 * When a DagSchedule is due, through croner (no dependencies, time zones
 * through Intl, 5- or 6-field expressions). Pure: a croner `Cron` made
 * without a function never starts a timer; it only computes times.
 */
import { Cron } from 'croner';

/** Why a schedule cannot be read; the reason goes into its `Ready` condition. */
export type ScheduleProblem = {
  reason: 'InvalidSchedule' | 'UnknownTimeZone' | 'NeverDue';
  message: string;
};

/** Due times counted in one window at most: each costs the library about 25 µs. */
export const MAX_COUNTED = 1000;

/** The due times of a readable schedule. */
export interface ScheduleTimes {
  /** The first due time strictly after `after`; undefined if it is never due again. */
  next(after: Date): Date | undefined;
  /**
   * The due times in (after, upTo]: how many (counted up to MAX_COUNTED; `capped`
   * when there are more) and the newest `keep` of them, oldest first.
   */
  window(after: Date, upTo: Date, keep: number): { newest: Date[]; count: number; capped: boolean };
}

/** Reads an expression in a time zone (default UTC), or says what is wrong with it. */
export function readSchedule(
  expression: string,
  timeZone: string | undefined,
  now: Date,
): ScheduleTimes | ScheduleProblem {
  const zone = timeZone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return {
      reason: 'UnknownTimeZone',
      message: `timeZone ${JSON.stringify(zone)} is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`,
    };
  }
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone: zone, mode: '5-or-6-parts' });
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).replace(/^CronPattern: /, '');
    return { reason: 'InvalidSchedule', message: `schedule ${JSON.stringify(expression)}: ${why}` };
  }
  if (cron.nextRun(now) === null) {
    return {
      reason: 'NeverDue',
      message: `schedule ${JSON.stringify(expression)} is never due again`,
    };
  }
  return {
    next: (after) => cron.nextRun(after) ?? undefined,
    window(after, upTo, keep) {
      let count = 0;
      let t = cron.nextRun(after);
      for (; t && t <= upTo && count < MAX_COUNTED; t = cron.nextRun(t)) count++;
      // previousRuns leaves out its reference time: upTo itself counts, so look from just after.
      const newest = keep > 0 ? cron.previousRuns(keep, new Date(upTo.getTime() + 1)) : [];
      return {
        newest: newest.filter((d) => d > after).reverse(),
        count,
        capped: t !== null && t <= upTo,
      };
    },
  };
}

export function isScheduleProblem(r: ScheduleTimes | ScheduleProblem): r is ScheduleProblem {
  return 'reason' in r;
}
