/** Printing each scenario's figures as it ends, a summary table, and the `--json` object. */
import { writeFileSync } from 'node:fs';
import { heading, out } from '../bench/report.ts';
import { fmt, table } from '../bench/stats.ts';
import type { FaultOptions } from './options.ts';
import { passed, type ScenarioResult } from './result.ts';

function loadLine(r: ScenarioResult): string | undefined {
  const l = r.load;
  if (!l) return undefined;
  const reasons = Object.entries(l.extraByReason)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return (
    `instances ${l.instances}: succeeded ${l.succeeded}, failed ${l.failed}, canceled ${l.canceled}, ` +
    `lost ${l.lost}, stuck ${l.stuck}; extra attempts ${l.extraAttempts}` +
    (reasons ? ` (${reasons})` : '') +
    `, not in history ${l.unaccounted}, recorded twice ${l.recordedTwice}`
  );
}

const seconds = (v: number | undefined): string =>
  v === undefined || !Number.isFinite(v) ? '—' : `${fmt(v, 1)} s`;

export function printScenario(r: ScenarioResult): void {
  heading(`${r.id}: ${r.title}`);
  const line = loadLine(r);
  if (line) out(line);
  if (r.recoverSeconds !== undefined) out(`time to recover: ${seconds(r.recoverSeconds)}`);
  for (const [k, v] of Object.entries(r.figures))
    out(`${k}: ${typeof v === 'number' ? fmt(v, Number.isInteger(v) ? 0 : 1) : v}`);
  for (const c of r.checks) out(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  if (r.error !== undefined) out(`FAILED: ${r.error}`);
  out(
    `${passed(r) ? 'PASSED' : 'FAILED'} in ${fmt(r.seconds)} s${r.logs ? ` (logs: ${r.logs})` : ''}`,
  );
}

export function printSummary(results: readonly ScenarioResult[]): void {
  heading('Summary');
  out(
    table(
      ['scenario', 'instances', 'lost', 'stuck', 'failed', 'extra attempts', 'recover', 'result'],
      results.map((r) => [
        r.id,
        fmt(r.load?.instances),
        fmt(r.load?.lost),
        fmt(r.load?.stuck),
        fmt(r.load?.failed),
        fmt(r.load?.extraAttempts),
        seconds(r.recoverSeconds),
        passed(r) ? 'passed' : 'FAILED',
      ]),
    ),
  );
}

export function writeJson(
  file: string,
  opts: FaultOptions,
  results: readonly ScenarioResult[],
): void {
  const body = {
    at: new Date().toISOString(),
    sizes: opts.sizes,
    soakMinutes: opts.soakMinutes,
    passed: results.every(passed),
    scenarios: Object.fromEntries(results.map((r) => [r.id, { ...r, passed: passed(r) }])),
  };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
}
