import { z } from 'zod';
import { Conditions, ObjectName, Timestamp } from './common.ts';
import { VAR_KEYS_RULE } from './dag-instance.ts';
import { VarName } from './dag.ts';

/**
 * The shape of a cron expression: 5 fields (minute first), 6 (seconds first)
 * or a nickname. Admission refuses any other shape; the values of the fields
 * are checked by the cron library when the operator reads the schedule (a
 * field out of range shows in the `Ready` condition).
 */
export const CRON_SHAPE = /^(@(yearly|annually|monthly|weekly|daily|hourly)|[^ ]+( +[^ ]+){4,5})$/;
export const CRON_SHAPE_RULE =
  'a cron expression: 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or @hourly, @daily, @weekly, @monthly, @yearly';

/** An IANA time zone name's shape (`Europe/Berlin`, `UTC`); whether it exists is checked by the operator. */
const TIME_ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** The policies of a Kubernetes CronJob, with the same meaning. */
export const ConcurrencyPolicy = z.enum(['Allow', 'Forbid', 'Replace']);
export type ConcurrencyPolicy = z.infer<typeof ConcurrencyPolicy>;

/** Most runs one pass starts to catch up, whatever `catchUp.maxRuns` says. */
export const MAX_CATCH_UP_RUNS = 100;
const HistoryLimit = z.int().min(0).max(1000);

export const DagScheduleSpec = z.strictObject({
  dagRef: z.strictObject({ name: ObjectName }).describe('The Dag each run is an instance of.'),
  schedule: z
    .string()
    .max(256)
    .regex(CRON_SHAPE, CRON_SHAPE_RULE)
    .describe('When runs are due: a cron expression (croner syntax) read in timeZone.'),
  timeZone: z
    .string()
    .max(64)
    .regex(TIME_ZONE_SHAPE, 'an IANA time zone name, e.g. Europe/Berlin')
    .optional()
    .describe('IANA time zone the schedule is read in (default UTC).'),
  concurrencyPolicy: ConcurrencyPolicy.optional().describe(
    'A run due while an earlier one is unfinished: Allow starts it too (default), Forbid ' +
      'starts it once the earlier ones finish, Replace cancels them and starts it.',
  ),
  startingDeadlineSeconds: z
    .int()
    .min(1)
    .max(366 * 24 * 3600)
    .optional()
    .describe('A run not started this long after it was due is missed, not started late.'),
  catchUp: z
    .strictObject({
      maxRuns: z.int().min(0).max(MAX_CATCH_UP_RUNS),
    })
    .optional()
    .describe(
      'Runs missed while the operator was down or the schedule suspended: besides the newest ' +
        'due run, the newest maxRuns missed ones are started, oldest first; older ones are ' +
        'counted in status.missedRuns. Default 0: only the newest due run, as a CronJob.',
    ),
  suspend: z.boolean().optional().describe('No run starts while true; resuming catches up.'),
  successfulRunsHistoryLimit: HistoryLimit.optional().describe(
    'Succeeded runs of this schedule kept; older ones are deleted (default 3).',
  ),
  failedRunsHistoryLimit: HistoryLimit.optional().describe(
    'Failed or Canceled runs of this schedule kept; older ones are deleted (default 1).',
  ),
  vars: z
    .record(VarName, z.string().max(8192))
    .optional()
    .meta({ maxProperties: 128, 'x-kubernetes-validations': [VAR_KEYS_RULE] })
    .describe("Vars of every run's DagInstance."),
});
export type DagScheduleSpec = z.infer<typeof DagScheduleSpec>;

export const DEFAULT_SUCCESSFUL_RUNS_KEPT = 3;
export const DEFAULT_FAILED_RUNS_KEPT = 1;
/** Unfinished runs listed in status.active; more are counted in activeCount only. */
export const MAX_LISTED_ACTIVE = 64;

export const DagScheduleStatus = z.object({
  observedGeneration: z.int().min(0).optional(),
  caughtUpTo: Timestamp.optional().describe(
    'Every due time up to this one was started or counted as missed (the schedule resumes after it).',
  ),
  lastScheduleTime: Timestamp.optional().describe('When the newest run started was due.'),
  nextScheduleTime: Timestamp.optional().describe('When the next run is due (unset: suspended).'),
  lastSuccessfulTime: Timestamp.optional().describe('When the newest succeeded run finished.'),
  active: z
    .array(ObjectName)
    .max(MAX_LISTED_ACTIVE)
    .optional()
    .describe('Unfinished DagInstances this schedule started.'),
  activeCount: z.int().min(0).optional(),
  missedRuns: z
    .int()
    .min(0)
    .optional()
    .describe(
      'Due runs never started: beyond catchUp.maxRuns, past startingDeadlineSeconds, or replaced before they started.',
    ),
  conditions: Conditions.optional(),
});
export type DagScheduleStatus = z.infer<typeof DagScheduleStatus>;
