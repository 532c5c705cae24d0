/**
 * The progress display of `run --watch`, as pure functions of the instance:
 * a block redrawn in place on a terminal, one line per change otherwise, and
 * the summary printed when the instance finishes.
 */
import { TERMINAL_TASK_PHASES, type TaskStatus } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import { formatDuration } from '../core/duration.ts';
import { phaseStyle, type Paint } from './color.ts';
import { oneLine, taskDuration, taskNote } from './format.ts';
import { instanceElapsed } from './get.ts';

const LIST_MAX = 5;
const BLOCK_MAX = 10;

type Entry = [string, TaskStatus];

function entries(i: DagInstance): Entry[] {
  return Object.entries(i.status?.tasks ?? {}).sort(([a], [b]) => a.localeCompare(b));
}

const isActive = (t: TaskStatus): boolean => t.phase === 'Running' || t.phase === 'Scheduled';
const isWaiting = (t: TaskStatus): boolean =>
  t.phase === 'Pending' && t.reason === 'NoWorkerForAction';

function names(list: readonly Entry[]): string {
  const shown = list.slice(0, LIST_MAX).map(([id]) => id);
  const more = list.length - shown.length;
  return shown.join(', ') + (more > 0 ? ` +${more} more` : '');
}

/** What is going on, e.g. `running: b, c; blocked: deploy`; empty when nothing is. */
export function activity(i: DagInstance): string {
  const all = entries(i);
  const parts: [string, Entry[]][] = [
    ['running', all.filter(([, t]) => isActive(t))],
    ['retrying', all.filter(([, t]) => t.phase === 'Retrying')],
    ['waiting for a worker', all.filter(([, t]) => isWaiting(t))],
    ['blocked', all.filter(([, t]) => t.phase === 'Blocked')],
    ['failed', all.filter(([, t]) => t.phase === 'Failed')],
  ];
  return parts
    .filter(([, list]) => list.length > 0)
    .map(([what, list]) => `${what}: ${names(list)}`)
    .join('; ');
}

/**
 * Finished tasks / all tasks, counted from the tasks' phases: a worker's
 * result shows at once, before the operator's next pass updates
 * status.progress (which gives the total).
 */
export function progressOf(i: DagInstance): string {
  const total = /^\d+\/(\d+)$/.exec(i.status?.progress ?? '')?.[1];
  if (total === undefined) return i.status?.progress ?? '-';
  const finished = entries(i).filter(([, t]) => TERMINAL_TASK_PHASES.has(t.phase)).length;
  return `${finished}/${total}`;
}

/**
 * The state one line describes: a line is printed when it changes. Undefined
 * for the moment between a task's end and the operator's next pass (Running,
 * nothing active): nothing worth a line.
 */
export function progressKey(i: DagInstance): string | undefined {
  const phase = i.status?.phase ?? 'Pending';
  const act = activity(i);
  if (phase === 'Running' && !entries(i).some(([, t]) => !TERMINAL_TASK_PHASES.has(t.phase))) {
    return undefined;
  }
  return `${phase} ${progressOf(i)} ${act}`;
}

/** The line printed on each change when stdout is not a terminal; `elapsed` since the watch began. */
export function progressLine(i: DagInstance, elapsedMs: number, paint: Paint): string {
  const phase = i.status?.phase ?? 'Pending';
  return [
    paint('dim', `+${formatDuration(elapsedMs)}`.padStart(7)),
    paint(phaseStyle(phase), phase.padEnd(9)),
    progressOf(i).padEnd(7),
    activity(i),
  ]
    .join('  ')
    .trimEnd();
}

/** The block redrawn in place on a terminal: the instance, then its active tasks. */
export function progressBlock(i: DagInstance, now: Date, paint: Paint, columns: number): string[] {
  const phase = i.status?.phase ?? 'Pending';
  const head = [
    paint('bold', `daginstance/${i.metadata.name}`),
    paint(phaseStyle(phase), phase),
    progressOf(i),
    paint('dim', instanceElapsed(i, now) || '0ms'),
  ].join('  ');
  const shown = entries(i).filter(
    ([, t]) => isActive(t) || isWaiting(t) || t.phase === 'Retrying' || t.phase === 'Blocked',
  );
  const idWidth = Math.max(0, ...shown.map(([id]) => id.length));
  const lines = shown.slice(0, BLOCK_MAX).map(([id, t]) => {
    const detail =
      t.phase === 'Running' || t.phase === 'Scheduled'
        ? [t.worker ?? '', taskDuration(t, now)]
        : [taskNote(t)];
    const phase = paint(phaseStyle(t.phase), t.phase) + ' '.repeat(9 - t.phase.length);
    const cells = [id.padEnd(idWidth), phase, ...detail];
    return `  ${cells.filter((c) => c !== '').join('  ')}`;
  });
  if (shown.length > BLOCK_MAX)
    lines.push(paint('dim', `  … and ${shown.length - BLOCK_MAX} more`));
  return [head, ...lines].map((l) => truncate(l, columns));
}

/** Cuts a line (which may hold colour codes) to `columns` visible characters. */
export function truncate(line: string, columns: number): string {
  if (columns <= 0) return line;
  let visible = 0;
  let out = '';
  for (let k = 0; k < line.length;) {
    const code = /^\x1b\[[0-9;]*m/.exec(line.slice(k));
    if (code) {
      out += code[0];
      k += code[0].length;
      continue;
    }
    if (visible >= columns - 1 && line.length - k > 1) {
      // Drop the rest of the text but keep its colour codes (the resets).
      const codes = line.slice(k).match(/\x1b\[[0-9;]*m/g) ?? [];
      return `${out}…${codes.join('')}`;
    }
    out += line[k];
    visible++;
    k++;
  }
  return out;
}

/** Printed once the instance finished: the outcome, and for a failure what failed and what to do. */
export function finalSummary(i: DagInstance, paint: Paint): string[] {
  const name = i.metadata.name;
  const phase = i.status?.phase ?? 'Pending';
  const duration = i.status?.duration ? ` in ${i.status.duration}` : '';
  const head =
    `daginstance/${name} ${paint(phaseStyle(phase), phase)}: ` +
    `${i.status?.progress ?? '?'} tasks finished${duration}`;
  if (phase === 'Succeeded') return [head];
  return [head, ...failureLines(i, paint)];
}

function failureLines(i: DagInstance, paint: Paint): string[] {
  const name = i.metadata.name;
  const bad = entries(i).filter(([, t]) => t.phase === 'Failed' || t.phase === 'Canceled');
  if (bad.length === 0) {
    // The instance could not start (DagNotFound, InvalidVars, …): its condition says why.
    const reason = i.status?.conditions?.find((c) => c.type === 'Succeeded')?.reason;
    const message = oneLine(i.status?.message ?? '');
    return message ? [`  ${reason ? `${reason}: ` : ''}${message}`] : [];
  }
  const lines = bad.map(([id, t]) =>
    `  ${id}  ${paint(phaseStyle(t.phase), t.phase)}  ${taskNote(t)}`.trimEnd(),
  );
  const failed = bad.find(([, t]) => t.phase === 'Failed')?.[0];
  if (failed) lines.push(paint('dim', `  traces: kubectl fastflow logs ${name} ${failed}`));
  lines.push(paint('dim', `  retry:  kubectl fastflow retry ${name}`));
  return lines;
}
