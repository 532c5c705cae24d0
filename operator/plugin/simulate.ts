/**
 * `kubectl fastflow simulate FILE`: runs a Dag on the operator's own
 * decisions (operator/core/simulate.ts) with simulated actions, no cluster,
 * and prints what would happen: the passes in which tasks start together,
 * what skips, blocks, retries and waits, and how the instance ends.
 */
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import { simulate, type SimEvent, type SimulateInput } from '../core/simulate.ts';
import type { Paint } from './color.ts';
import { phaseStyle } from './color.ts';
import { readFileArg } from './commands.ts';
import { PluginError } from './errors.ts';
import { formatTable, humanAge, oneLine } from './format.ts';
import type { IO } from './io.ts';
import { formatLint, lintText } from './lint.ts';
import { dagsOf, pickDag, resultsOf, type SimulateFlags } from './simulate-input.ts';
import { parseVars } from './vars.ts';

export type { SimulateFlags } from './simulate-input.ts';

export async function simulateCommand(
  file: string,
  flags: SimulateFlags,
  io: IO,
  stdin?: () => Promise<string>,
): Promise<number> {
  const text = await readFileArg(file, stdin);
  return simulateText(file === '-' ? '<stdin>' : file, text, flags, io);
}

/** Runs the simulation of the Dag in `text`; exit 0 when the instance would succeed, else 1. */
export function simulateText(file: string, text: string, flags: SimulateFlags, io: IO): number {
  const lint = lintText(text);
  if (lint.problems.length > 0) {
    io.err(`${formatLint(file, lint, io.errPaint).join('\n')}\n`);
    throw new PluginError(`${file}: fix the problems above to simulate it`);
  }
  const dag = pickDag(dagsOf(text), flags.dag);
  const vars = parseVars([...(flags.var ?? []), ...(flags.vars ?? [])]);
  const { results, format } = resultsOf(flags, dag.spec);
  const start = io.now();
  const input: SimulateInput = { spec: dag.spec, vars, start, ...results };
  const result = simulate(input);
  if (!result.ok) throw new PluginError(result.message);
  const tasks = taskRows(dag.spec.tasks, result.status);
  if (format === 'json') {
    const steps = result.steps.map((s) => ({
      pass: s.pass,
      at: `+${humanAge(s.at.getTime() - start.getTime())}`,
      seconds: (s.at.getTime() - start.getTime()) / 1000,
      started: s.events.filter((e) => e.phase === 'Scheduled').map((e) => e.task),
      events: s.events,
    }));
    const out = { dag: dag.name ?? null, vars, phase: result.phase, message: result.message ?? '' };
    io.out(`${JSON.stringify({ ...out, gaveUp: result.gaveUp, steps, tasks }, null, 2)}\n`);
  } else {
    const paint = io.paint;
    const name = dag.name ? `Dag "${dag.name}"` : 'Dag';
    io.out(
      `${paint('dim', `Simulated ${name}: each action takes 1s and succeeds unless --fail; waits pass at once; approvals are approved unless --reject.`)}\n`,
    );
    const rows = result.steps.flatMap((s) =>
      s.events.map((e, i) => [
        i === 0 ? String(s.pass) : '',
        i === 0 ? `+${humanAge(s.at.getTime() - start.getTime())}` : '',
        e.task,
        describe(e),
      ]),
    );
    io.out(`${formatTable(['PASS', 'TIME', 'TASK', 'WHAT HAPPENS'], rows).join('\n')}\n\n`);
    const table = formatTable(
      ['TASK', 'PHASE', 'ATTEMPTS', 'NOTE'],
      tasks.map((t) => [t.task, t.phase, t.attempts, t.note]),
      (c, text) => (c === 1 ? paint(phaseStyle(text), text) : text),
    );
    io.out(`${table.join('\n')}\n\n`);
    const end = `${paint(phaseStyle(result.phase), result.phase)}${result.message ? `: ${result.message}` : ''}`;
    io.out(`${end}\n`);
    if (result.gaveUp) io.out(`${giveUpNote(paint)}\n`);
  }
  return result.phase === 'Succeeded' ? 0 : 1;
}

function giveUpNote(paint: Paint): string {
  return paint(
    'yellow',
    'The simulation stopped after 100,000 passes: the instance had not finished.',
  );
}

/** One line for what an event shows. */
function describe(e: SimEvent): string {
  const note = e.message ? `: ${oneLine(e.message)}` : '';
  const attempt = e.attempt !== undefined && e.attempt > 1 ? ` (attempt ${e.attempt})` : '';
  switch (e.phase) {
    case 'Scheduled':
      return `starts${attempt}`;
    case 'Running':
      return e.by === 'operator' ? `waits${note}` : `runs${attempt}`;
    case 'Succeeded':
      return e.by === 'worker' ? `succeeds${attempt}` : `decided${note}`;
    case 'Failed':
      return `fails${attempt}${note}`;
    case 'Retrying':
      return `will retry${note}`;
    case 'Skipped':
    case 'Blocked':
    case 'Canceled':
    case 'Pending':
      return `${e.phase.toLowerCase()}${note}`;
  }
}

type TaskRow = { task: string; phase: string; attempts: string; note: string };

/** Every task of the Dag at the end; one that never started says why. */
function taskRows(
  tasks: readonly { id: string; dependOn?: string[] | undefined }[],
  status: DagInstanceStatus,
): TaskRow[] {
  const entries = status.tasks ?? {};
  const shown = new Set(tasks.map((t) => t.id));
  const rows = tasks.map(({ id, dependOn }) => {
    const t = entries[id];
    if (t === undefined) {
      const held = (dependOn ?? []).flatMap((p) => {
        const phase = entries[p]?.phase ?? 'NotRun';
        return ['Succeeded', 'Skipped'].includes(phase) ? [] : [`${p} ${phase}`];
      });
      const why = status.terminated
        ? 'the instance ended first'
        : `after ${held.join(', ') || 'its parents'}`;
      return { task: id, phase: 'NotRun', attempts: '0', note: why };
    }
    const note = [t.reason, t.message].filter((p) => !!p).join(': ');
    return { task: id, phase: t.phase, attempts: String(t.attempt ?? 0), note: oneLine(note) };
  });
  // Tasks a DAG grew at run time (fan-out copies, loop iterations) follow the declared ones.
  for (const [id, t] of Object.entries(entries)) {
    if (shown.has(id)) continue;
    rows.push({
      task: id,
      phase: t.phase,
      attempts: String(t.attempt ?? 0),
      note: oneLine(t.message ?? ''),
    });
  }
  return rows;
}
