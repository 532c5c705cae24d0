/** What a scenario reports: its figures, the accounting of its load, and its checks. */
import type { Settled } from './load.ts';
import type { ScenarioId } from './options.ts';

export type Check = { name: string; ok: boolean; detail: string };

export type ScenarioResult = {
  id: ScenarioId;
  title: string;
  /** Figures particular to the scenario (seconds, counts), in print order. */
  figures: Record<string, number | string>;
  /** What became of the scenario's load; absent when it had none or never got that far. */
  load: Settled | undefined;
  checks: Check[];
  /** Time to recover: from the fault to fastflow working again (what that means is the scenario's). */
  recoverSeconds: number | undefined;
  /** The scenario could not run to its end (the reason). */
  error: string | undefined;
  seconds: number;
  /** Where the processes' logs are. */
  logs: string | undefined;
};

export function check(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail };
}

/** The checks every load must pass: 0 lost, 0 stuck, 0 failed, every extra attempt in history. */
export function loadChecks(s: Settled): Check[] {
  const names = (xs: string[]): string => (xs.length > 0 ? ` (e.g. ${xs.join(', ')})` : '');
  return [
    check('no instance lost', s.lost === 0, `${s.lost} lost${names(s.examples.lost)}`),
    check('no instance stuck', s.stuck === 0, `${s.stuck} stuck${names(s.examples.stuck)}`),
    check('no instance failed', s.failed === 0, `${s.failed} failed${names(s.examples.failed)}`),
    check(
      'every extra attempt is in attempt history',
      s.unaccounted === 0,
      `${s.extraAttempts} extra attempts, ${s.unaccounted} without a record` +
        names(s.examples.unaccounted),
    ),
    check(
      'no attempt recorded twice',
      s.recordedTwice === 0,
      `${s.recordedTwice} duplicate history records`,
    ),
    check(
      'no task ran to the end twice',
      s.succeededTwice === 0,
      `${s.succeededTwice} tasks with two successful attempts`,
    ),
  ];
}

export function passed(r: ScenarioResult): boolean {
  return r.error === undefined && r.checks.every((c) => c.ok);
}
