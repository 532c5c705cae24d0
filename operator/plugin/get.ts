/**
 * `kubectl fastflow get`: the instances of a namespace as `kubectl get dagi`
 * prints them, or one instance with its tasks.
 */
import { stringify } from 'yaml';
import type { TaskStatus } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import { formatDuration } from '../core/duration.ts';
import { listingOrder } from '../core/grown-graph.ts';
import { phaseStyle, type Paint } from './color.ts';
import { UsageError } from './errors.ts';
import { ageOf, formatTable, oneLine, taskDuration, taskNote } from './format.ts';

export const LIST_HEADER = ['NAME', 'DAG', 'PHASE', 'PROGRESS', 'AGE', 'DURATION'] as const;

/** The table of `get` without a name: one row per instance, by name. */
export function instanceTable(
  instances: readonly DagInstance[],
  now: Date,
  paint: Paint,
): string[] {
  const rows = [...instances]
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((i) => [
      i.metadata.name,
      i.spec.dagRef.name,
      i.status?.phase ?? '',
      i.status?.progress ?? '',
      ageOf(i.metadata.creationTimestamp, now),
      i.status?.duration ?? '',
    ]);
  return formatTable(LIST_HEADER, rows, (c, text) =>
    c === 2 ? paint(phaseStyle(text), text) : text,
  );
}

export const TASK_HEADER = ['TASK', 'PHASE', 'ATTEMPT', 'WORKER', 'DURATION', 'MESSAGE'] as const;

/**
 * One row per task: the graph's order first (absent tasks are Pending), each
 * followed by its copies or iterations (`x[3]`, `step#2`), then other keys.
 */
export function taskTable(
  order: readonly string[] | undefined,
  tasks: Readonly<Record<string, TaskStatus>>,
  now: Date,
  paint: Paint,
): string[] {
  const ids = listingOrder(order ?? [], tasks);
  const rows = ids.map((id) => {
    const t = tasks[id];
    return [
      id,
      t?.phase ?? 'Pending',
      t?.attempt !== undefined ? String(t.attempt) : '',
      t?.worker ?? '',
      taskDuration(t, now),
      taskNote(t),
    ];
  });
  return formatTable(TASK_HEADER, rows, (c, text) =>
    c === 1 ? paint(phaseStyle(text), text) : text,
  );
}

/** The elapsed time of an instance: its recorded duration, or the time since it started. */
export function instanceElapsed(i: DagInstance, now: Date): string {
  if (i.status?.duration) return i.status.duration;
  const start = i.status?.startTime ? Date.parse(i.status.startTime) : NaN;
  return Number.isNaN(start) ? '' : formatDuration(now.getTime() - start);
}

type Field = [string, string | undefined];

function specFields(i: DagInstance, now: Date): Field[] {
  const vars = Object.entries(i.spec.vars ?? {}).map(([k, v]) => `${k}=${v}`);
  const deadline = i.spec.activeDeadlineSeconds;
  const created = i.metadata.creationTimestamp;
  return [
    ['Name', i.metadata.name],
    ['Namespace', i.metadata.namespace],
    [
      'Dag',
      i.spec.dagRef.name + (i.status?.dagRevision ? ` (snapshot ${i.status.dagRevision})` : ''),
    ],
    ['Vars', vars.join(' ')],
    ['Deadline', deadline !== undefined ? `${deadline}s` : undefined],
    ['Created', created ? `${created} (${ageOf(created, now)} ago)` : undefined],
  ];
}

function statusFields(i: DagInstance, now: Date, paint: Paint): Field[] {
  const s = i.status ?? {};
  const stamp = (t: string | undefined): string | undefined =>
    t ? `${t} (${ageOf(t, now)} ago)` : undefined;
  const fields: Field[] = [
    ['Phase', s.phase ? paint(phaseStyle(s.phase), s.phase) : 'Pending (not started yet)'],
    ['Progress', s.progress],
    ['Reason', s.conditions?.find((c) => c.type === 'Succeeded')?.reason],
    ['Message', oneLine(s.message ?? '')],
    ['Started', stamp(s.startTime)],
    ['Finished', stamp(s.finishTime)],
    ['Duration', instanceElapsed(i, now)],
  ];
  for (const [name, r] of Object.entries(s.operations ?? {})) {
    if (r) fields.push([`Operation ${name}`, `${r.result} at ${r.at}: ${oneLine(r.message)}`]);
  }
  return fields;
}

/** The `Key: value` fields of `get NAME`, those that have a value. */
export function instanceFields(i: DagInstance, now: Date, paint: Paint): [string, string][] {
  return [...specFields(i, now), ...statusFields(i, now, paint)].filter(
    (f): f is [string, string] => f[1] !== undefined && f[1] !== '',
  );
}

/** `get NAME`: the instance's fields, then its tasks. */
export function instanceDetails(
  i: DagInstance,
  graph: { order: readonly string[]; source: 'snapshot' | 'dag' } | { problem: string },
  now: Date,
  paint: Paint,
): string[] {
  const shown = instanceFields(i, now, paint);
  const width = Math.max(...shown.map(([k]) => k.length)) + 2;
  const lines = shown.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`);
  lines.push('');
  if ('problem' in graph) {
    lines.push(paint('yellow', `Tasks listed from status only: ${graph.problem}.`));
  } else if (graph.source === 'dag') {
    lines.push(paint('dim', 'Tasks of the Dag as it is now (the instance has no snapshot yet):'));
  }
  const order = 'order' in graph ? graph.order : undefined;
  lines.push(...taskTable(order, i.status?.tasks ?? {}, now, paint));
  return lines;
}

export type OutputFormat = 'json' | 'yaml';

/** The `-o` of `get`: json or yaml (as kubectl's), else a usage error. */
export function outputFormat(value: string | undefined): OutputFormat | undefined {
  if (value === undefined || value === 'json' || value === 'yaml') return value;
  throw new UsageError(`--output must be json or yaml, not ${JSON.stringify(value)}`);
}

/**
 * `get -o json|yaml`: one instance as `kubectl get dagi NAME -o json` prints
 * it (status.tasks holding every task's entry, sharded ones included), or
 * several as kubectl's List.
 */
export function formatObjects(
  objects: DagInstance | readonly DagInstance[],
  format: OutputFormat,
): string {
  const value = Array.isArray(objects)
    ? { apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } }
    : objects;
  return format === 'json'
    ? `${JSON.stringify(value, null, 4)}\n`
    : stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}
