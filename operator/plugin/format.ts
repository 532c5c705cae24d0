/**
 * Pure formatting shared by the plugin's commands: kubectl's AGE, task
 * durations, and tables laid out the way `kubectl get` prints them.
 */
import type { TaskStatus } from '../api/dag-instance.ts';
import { formatDuration } from '../core/duration.ts';

/**
 * An age as kubectl's AGE column shows it (apimachinery's HumanDuration):
 * `45s`, `3m12s`, `25m`, `4h10m`, `30h`, `3d4h`, `120d`, `2y30d`.
 */
export function humanAge(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** The age of an object created at `timestamp` (RFC 3339), or `<unknown>`. */
export function ageOf(timestamp: string | undefined, now: Date): string {
  const t = timestamp ? Date.parse(timestamp) : NaN;
  return Number.isNaN(t) ? '<unknown>' : humanAge(now.getTime() - t);
}

/**
 * How long a task's current attempt has run: from `startedAt` to
 * `finishedAt`, or to `now` while it runs. Empty when it never started.
 */
export function taskDuration(task: TaskStatus | undefined, now: Date): string {
  const start = task?.startedAt ? Date.parse(task.startedAt) : NaN;
  if (Number.isNaN(start)) return '';
  const end = task?.finishedAt ? Date.parse(task.finishedAt) : now.getTime();
  return formatDuration((Number.isNaN(end) ? now.getTime() : end) - start);
}

/** `reason: message` of a task, on one line. */
export function taskNote(task: TaskStatus | undefined): string {
  if (!task) return '';
  const parts = [task.reason, task.message].filter((p): p is string => !!p);
  return oneLine(parts.join(': '));
}

/** Text on one line: newlines and runs of blanks become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Styles a cell after it was padded (colour), given its column and plain text. */
export type CellStyle = (column: number, text: string) => string;

/**
 * Rows as `kubectl get` prints them (Go's tabwriter, padding 3): each column
 * as wide as its widest cell, left-aligned, no trailing blanks. Widths are
 * measured on the plain text; `style` may wrap a cell in colour codes.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  style?: CellStyle,
): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return all.map((row, i) =>
    row
      .map((cell, c) => {
        const last = c === row.length - 1;
        const pad = last ? '' : ' '.repeat((widths[c] ?? 0) - cell.length + 3);
        const shown = i > 0 && style && cell !== '' ? style(c, cell) : cell;
        return shown + pad;
      })
      .join('')
      .trimEnd(),
  );
}
