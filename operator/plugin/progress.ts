/**
 * The progress display of `run --watch`, as pure functions of the instance:
 * a block redrawn in place on a terminal, one line per change otherwise, and
 * the summary printed when the instance finishes.
 */
import type { TaskStatus } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
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

/** The state one line describes: a new line is printed when it changes. */
export function progressKey(i: DagInstance): string {
  return `${i.status?.phase ?? 'Pending'} ${i.status?.progress ?? ''} ${activity(i)}`;
}

/** The line printed on each change when stdout is not a terminal. */
export function progressLine(i: DagInstance, now: Date, paint: Paint): string {
  const phase = i.status?.phase ?? 'Pending';
  const elapsed = (instanceElapsed(i, now) || '0ms').padStart(7);
  const act = activity(i);
  return [
    paint('dim', elapsed),
    paint(phaseStyle(phase), phase.padEnd(9)),
    (i.status?.progress ?? '-').padEnd(7),
    act,
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
    i.status?.progress ?? '-',
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
    const cells = [id.padEnd(idWidth), paint(phaseStyle(t.phase), t.phase.padEnd(9)), ...detail];
    return `  ${cells.filter((c) => c !== '').join('  ')}`;
  });
  if (shown.length > BLOCK_MAX) lines.push(paint('dim', `  … and ${shown.length - BLOCK_MAX} more`));
  return [head, ...lines].map((l) => truncate(l, columns));
}

/** Cuts a line (which may hold colour codes) to `columns` visible characters. */
export function truncate(line: string, columns: number): string {
  if (columns <= 0) return line;
  let visible = 0;
  let out = '';
  for (let k = 0; k < line.length; ) {
    // eslint-disable-next-line no-control-regex
    const code = /^\x1b\[[0-9;]*m/.exec(line.slice(k));
    if (code) {
      out += code[0];
      k += code[0].length;
      continue;
    }
    if (visible >= columns - 1 && line.length - k > 1) {
      // Drop the rest of the text but keep its colour codes (the resets).
      // eslint-disable-next-line no-control-regex
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
  const progress = i.status?.progress ?? '';
  const duration = i.status?.duration ? ` in ${i.status.duration}` : '';
  const head = `daginstance/${name} ${paint(phaseStyle(phase), phase)}: ${progress} tasks finished${duration}`;
  if (phase === 'Succeeded') return [head];
  const lines = [head];
  const reason = i.status?.conditions?.find((c) => c.type === 'Succeeded')?.reason;
  const bad = entries(i).filter(([, t]) => t.phase === 'Failed' || t.phase === 'Canceled');
  if (bad.length === 0 && i.status?.message) {
    lines.push(`  ${reason ? `${reason}: ` : ''}${oneLine(i.status.message)}`);
  }
  for (const [id, t] of bad) {
    lines.push(`  ${id}  ${paint(phaseStyle(t.phase), t.phase)}  ${taskNote(t)}`.trimEnd());
  }
  const firstFailed = bad.find(([, t]) => t.phase === 'Failed')?.[0];
  if (firstFailed) lines.push(paint('dim', `  traces: kubectl fastflow logs ${name} ${firstFailed}`));
  if (bad.length > 0) lines.push(paint('dim', `  retry:  kubectl fastflow retry ${name}`));
  return lines;
}
