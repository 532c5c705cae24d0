/**
 * `kubectl fastflow logs`: the traces of an instance's attempts
 * (TraceStore.read), grouped by task and attempt, oldest attempt first,
 * each line with the timestamp it was traced at.
 */
import type { TaskStatus } from '../api/dag-instance.ts';
import type { AttemptTrace } from '../store/traces.ts';
import { MAX_TRACE_LINES } from '../store/traces.ts';
import { phaseStyle, type Paint } from './color.ts';

/** What the header of an attempt says about it: its phase and worker, when known. */
function attemptInfo(task: TaskStatus | undefined, attempt: number): string[] {
  if (!task) return [];
  const record = task.attempt === attempt ? task : task.history?.find((h) => h.attempt === attempt);
  if (!record) return [];
  return [record.phase, ...(record.worker ? [`worker ${record.worker}`] : [])];
}

/**
 * Orders traces by the tasks' order in the Dag (a task unknown to `order`
 * goes last, by name), then by attempt.
 */
export function orderTraces(
  traces: readonly AttemptTrace[],
  order: readonly string[] | undefined,
): AttemptTrace[] {
  const rank = new Map((order ?? []).map((id, i) => [id, i]));
  const r = (t: AttemptTrace): number => rank.get(t.task) ?? Number.MAX_SAFE_INTEGER;
  return [...traces].sort(
    (a, b) => r(a) - r(b) || a.task.localeCompare(b.task) || a.attempt - b.attempt,
  );
}

/**
 * The lines to print: per task a header, per attempt a sub-header with its
 * phase and worker, the number of lines dropped (only the newest
 * MAX_TRACE_LINES are kept), then the trace lines as recorded (each starts
 * with its RFC 3339 timestamp).
 */
export function formatTraces(
  traces: readonly AttemptTrace[],
  tasks: Readonly<Record<string, TaskStatus>>,
  paint: Paint,
): string[] {
  const out: string[] = [];
  let current: string | undefined;
  for (const t of traces) {
    if (t.task !== current) {
      if (current !== undefined) out.push('');
      out.push(paint('bold', `=== task ${t.task}`));
      current = t.task;
    }
    const info = attemptInfo(tasks[t.task], t.attempt);
    const phase = info[0];
    const rest = info.slice(1);
    const described = [
      ...(phase ? [paint(phaseStyle(phase), phase)] : []),
      ...rest,
      `${t.lines.length} line${t.lines.length === 1 ? '' : 's'}`,
    ];
    out.push(`--- attempt ${t.attempt} (${described.join(', ')})`);
    if (t.dropped > 0) {
      out.push(
        paint(
          'yellow',
          `[${t.dropped} earlier line${t.dropped === 1 ? '' : 's'} dropped: only the newest ${MAX_TRACE_LINES} are kept]`,
        ),
      );
    }
    for (const line of t.lines) out.push(colorTimestamp(line, paint));
  }
  return out;
}

function colorTimestamp(line: string, paint: Paint): string {
  const space = line.indexOf(' ');
  const stamp = space > 0 ? line.slice(0, space) : '';
  if (!/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(stamp)) return line;
  return `${paint('dim', stamp)}${line.slice(space)}`;
}
