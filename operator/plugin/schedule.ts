/**
 * `kubectl fastflow schedule`: list DagSchedules, suspend and resume them
 * (the `spec.suspend` a `kubectl patch` would write), start a run now, and
 * backfill the runs of a past window. Runs are the DagInstances the
 * operator would create, with the same names, labels and owner: a run that
 * exists already (the schedule started it, or an earlier backfill did) is
 * left as it is, so a backfill can be repeated.
 */
import { DagSchedule } from '../api/objects.ts';
import { scheduleResource } from '../api/names.ts';
import { findCondition } from '../core/conditions.ts';
import { isScheduleProblem, readSchedule } from '../core/schedule-times.ts';
import { isNotFound, kubeCall } from '../kube/errors.ts';
import { mergePatchOptions } from '../kube/patch.ts';
import { createRun, manualRunName, runObject, scheduledRunName } from '../store/schedule-runs.ts';
import { open } from './commands.ts';
import { checkName, type ClusterFlags, type Connection } from './connect.ts';
import { PluginError, UsageError } from './errors.ts';
import { ageOf, formatTable } from './format.ts';
import type { IO } from './io.ts';

export const SCHEDULE_HEADER = [
  'NAME',
  'SCHEDULE',
  'SUSPEND',
  'ACTIVE',
  'LAST',
  'NEXT',
  'AGE',
  'READY',
];
/** Runs one backfill creates at most unless --max says more; --max itself is bounded. */
export const DEFAULT_BACKFILL_MAX = 100;
export const BACKFILL_MAX = 1000;

/** One row per schedule, by name; READY is the condition's message when it is False. */
export function scheduleTable(schedules: readonly DagSchedule[], now: Date): string[] {
  const rows = [...schedules]
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((s) => {
      const ready = findCondition(s.status?.conditions, 'Ready');
      return [
        s.metadata.name,
        s.spec.schedule + (s.spec.timeZone ? ` (${s.spec.timeZone})` : ''),
        String(s.spec.suspend ?? false),
        String(s.status?.activeCount ?? 0),
        s.status?.lastScheduleTime ? `${ageOf(s.status.lastScheduleTime, now)} ago` : '<none>',
        s.status?.nextScheduleTime ?? '<none>',
        ageOf(s.metadata.creationTimestamp, now),
        ready ? (ready.status === 'True' ? 'True' : `False: ${ready.message}`) : '',
      ];
    });
  return formatTable(SCHEDULE_HEADER, rows);
}

export async function scheduleListCommand(flags: ClusterFlags, io: IO): Promise<number> {
  const conn = open(flags, io);
  const list = (await kubeCall(() =>
    conn.clients.custom.listNamespacedCustomObject({
      ...scheduleResource,
      namespace: conn.namespace,
    }),
  )) as { items?: unknown[] };
  const schedules = (list.items ?? []).flatMap((raw) => {
    const parsed = DagSchedule.safeParse(raw);
    return parsed.success ? [parsed.data] : [];
  });
  if (schedules.length === 0) {
    io.err(`No DagSchedules found in ${conn.namespace} namespace.\n`);
    return 0;
  }
  io.out(`${scheduleTable(schedules, io.now()).join('\n')}\n`);
  return 0;
}

export async function scheduleSuspendCommand(
  name: string,
  suspend: boolean,
  flags: ClusterFlags,
  io: IO,
): Promise<number> {
  checkName('schedule name', name);
  const conn = open(flags, io);
  try {
    await kubeCall(() =>
      conn.clients.custom.patchNamespacedCustomObject(
        { ...scheduleResource, namespace: conn.namespace, name, body: { spec: { suspend } } },
        mergePatchOptions,
      ),
    );
  } catch (e) {
    throw notFound(e, name, conn.namespace);
  }
  io.out(`dagschedule.fastflow.io/${name} ${suspend ? 'suspended' : 'resumed'}\n`);
  return 0;
}

export async function scheduleTriggerCommand(
  name: string,
  flags: ClusterFlags,
  io: IO,
): Promise<number> {
  checkName('schedule name', name);
  const conn = open(flags, io);
  const schedule = await readScheduleObject(conn, name);
  const run = manualRunName(name, io.now());
  const created = await createRun(conn.clients.custom, runObject(schedule, run, undefined));
  io.out(
    `daginstance.fastflow.io/${run} ${created ? 'created' : 'unchanged (triggered this second already)'}\n`,
  );
  return 0;
}

export type BackfillFlags = ClusterFlags & { from: string; to: string; max?: string };

export async function scheduleBackfillCommand(
  name: string,
  flags: BackfillFlags,
  io: IO,
): Promise<number> {
  checkName('schedule name', name);
  const from = parseTime('--from', flags.from);
  const to = parseTime('--to', flags.to);
  const max = parseMax(flags.max);
  if (from > to) throw new UsageError(`--from ${flags.from} is after --to ${flags.to}`);
  if (to > io.now()) {
    throw new UsageError(`--to ${flags.to} is in the future: a backfill starts runs already due`);
  }
  const conn = open(flags, io);
  const schedule = await readScheduleObject(conn, name);
  const times = readSchedule(schedule.spec.schedule, schedule.spec.timeZone, from);
  if (isScheduleProblem(times)) throw new PluginError(`dagschedule/${name}: ${times.message}`);
  // The window includes --from itself: look from just before it.
  const window = times.window(new Date(from.getTime() - 1), to, max + 1);
  if (window.count > max) {
    throw new PluginError(
      `dagschedule/${name}: ${window.capped ? 'more than ' : ''}${window.count} runs are due from ` +
        `${from.toISOString()} to ${to.toISOString()}, more than --max ${max}: narrow the window or raise --max (at most ${BACKFILL_MAX})`,
    );
  }
  let created = 0;
  for (const due of window.newest) {
    const run = scheduledRunName(name, due);
    const made = await createRun(conn.clients.custom, runObject(schedule, run, due));
    if (made) created++;
    io.out(`daginstance.fastflow.io/${run} ${made ? 'created' : 'unchanged (exists)'}\n`);
  }
  io.out(
    `${window.count} run(s) due from ${from.toISOString()} to ${to.toISOString()}: ` +
      `${created} created, ${window.count - created} existed\n`,
  );
  return 0;
}

async function readScheduleObject(conn: Connection, name: string): Promise<DagSchedule> {
  let raw: unknown;
  try {
    raw = await kubeCall(() =>
      conn.clients.custom.getNamespacedCustomObject({
        ...scheduleResource,
        namespace: conn.namespace,
        name,
      }),
    );
  } catch (e) {
    throw notFound(e, name, conn.namespace);
  }
  const parsed = DagSchedule.safeParse(raw);
  if (!parsed.success) throw new PluginError(`dagschedule/${name} does not match the schema`);
  return parsed.data;
}

function notFound(e: unknown, name: string, namespace: string): unknown {
  return isNotFound(e)
    ? new PluginError(`dagschedule "${name}" not found in namespace ${namespace}`)
    : e;
}

/** An RFC 3339 time, or a date (midnight UTC). */
function parseTime(flag: string, value: string): Date {
  const ms = /^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value)
    ? Date.parse(value)
    : NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `${flag} ${JSON.stringify(value)}: not a time (RFC 3339, e.g. 2026-03-01T00:00:00Z, or a date, 2026-03-01)`,
    );
  }
  return new Date(ms);
}

function parseMax(value: string | undefined): number {
  if (value === undefined) return DEFAULT_BACKFILL_MAX;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > BACKFILL_MAX) {
    throw new UsageError(
      `--max ${JSON.stringify(value)}: a whole number from 1 to ${BACKFILL_MAX}`,
    );
  }
  return n;
}
