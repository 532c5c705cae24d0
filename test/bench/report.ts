/** Printing the figures: one section per phase as it ends, then a summary. */
import type { WriteCounts } from './apiserver-metrics.ts';
import type { RawWriteResult } from './raw-writes.ts';
import type { HopSummary, PhaseResult } from './scenarios.ts';
import type { LargeResult } from './scenarios-large.ts';
import type { LiveResult } from './scenarios-live.ts';
import type { FlowResult } from './scenarios-flow.ts';
import type { GrowResult } from './scenarios-grow.ts';
import { fmt, fmtLatency, fmtMs, table, type Summary } from './stats.ts';
import { targetFigures, targetLines } from './targets.ts';

export type PhaseOutcome =
  | { name: string; status: 'skipped'; reason: string }
  | { name: string; status: 'failed'; reason: string }
  | { name: string; status: 'ok' };

export type BenchResults = {
  fsync: boolean;
  cores: number;
  raw1: RawWriteResult | undefined;
  rawN: RawWriteResult | undefined;
  chain: PhaseResult | undefined;
  wide: PhaseResult | undefined;
  large: LargeResult | undefined;
  live: LiveResult | undefined;
  flow: FlowResult | undefined;
  grow: GrowResult | undefined;
  outcomes: PhaseOutcome[];
};

/** Results before any phase ran. */
export function noResults(fsync: boolean, cores: number): BenchResults {
  return {
    fsync,
    cores,
    raw1: undefined,
    rawN: undefined,
    chain: undefined,
    wide: undefined,
    large: undefined,
    live: undefined,
    flow: undefined,
    grow: undefined,
    outcomes: [],
  };
}

/** One line of the report on stdout (the figures; progress and problems go to stderr). */
export const out = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};

export function heading(text: string): void {
  out();
  out(`== ${text}`);
}

export function printRaw(r: RawWriteResult): void {
  const rounds =
    r.rounds.length > 1
      ? `median of ${r.rounds.length} rounds (${r.rounds.map((x) => fmt(x)).join(', ')}) = `
      : '';
  out(
    `ConfigMap creates, ${r.inFlight} in flight: ${fmt(r.creates)} in ${fmt(r.seconds, 2)} s, ` +
      `${rounds}${fmt(r.perSecond)} writes/s; latency ${fmtLatency(r.latencyMs, ['p50', 'p99', 'max'])}` +
      (r.errors > 0 ? `; ${r.errors} errors` : ''),
  );
}

function printHops(label: string, h: HopSummary): void {
  if (h.total.n === 0) return;
  out(`${label}: ${fmtLatency(h.total)}`);
  out(
    `  of which dependency done → scheduled (operator): p50 ${fmtMs(h.toScheduled.p50)}, ` +
      `p99 ${fmtMs(h.toScheduled.p99)}; scheduled → running (worker): p50 ${fmtMs(h.toStarted.p50)}, ` +
      `p99 ${fmtMs(h.toStarted.p99)}`,
  );
}

function perTask(n: number | undefined, tasks: number): number {
  return n === undefined || tasks === 0 ? NaN : n / tasks;
}

function printWrites(w: WriteCounts, r: PhaseResult): void {
  const creates = r.instances; // the bench's own POSTs, one per instance
  out(
    `API writes in ${fmt(w.seconds, 1)} s: daginstances ${fmt(w.daginstances)} ` +
      `(${fmt(perTask(w.daginstances, r.tasks), 2)}/task; ` +
      `${fmt(perTask(w.daginstances - creates, r.tasks), 2)}/task without the bench's ${creates} creates), ` +
      `leases ${fmt(w.leases)}, controllerrevisions ${fmt(w.controllerrevisions)}, ` +
      `all resources ${fmt(w.all)} (${fmt(perTask(w.all, r.tasks), 2)}/task)`,
  );
  for (const [resource, byKey] of w.breakdown) {
    if (byKey.size === 0) continue;
    const parts = [...byKey].map(([k, v]) => `${k}: ${fmt(v)}`).join(', ');
    out(`  ${resource} by verb, subresource, code: ${parts}`);
  }
  if (w.others.size > 0) {
    out(`  other resources: ${[...w.others].map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
  }
  if (w.daginstanceConflicts > 0) {
    out(`  of which refused (409 conflict / 422 invalid): ${fmt(w.daginstanceConflicts)}`);
  }
}

export function printPhase(r: PhaseResult): void {
  out(
    `${r.succeeded}/${r.instances} instances Succeeded, ${r.tasksPerInstance} tasks each; ` +
      `first create → last finish ${fmt(r.seconds, 2)} s = ${fmt(r.tasksPerSecond, 1)} tasks/s` +
      (r.retried > 0 ? `; ${r.retried} tasks needed a 2nd attempt` : ''),
  );
  printHops(
    r.name === 'wide'
      ? 'fan-out hop (root done → child running)'
      : 'hop latency (parent done → child running)',
    r.hop,
  );
  printHops('join hop (tasks with several dependencies: the last one done → running)', r.joinHop);
  out(
    `DagInstance created (client clock) → first task running: ` +
      fmtLatency(r.createToFirstStartMs, ['p50', 'p99', 'max']),
  );
  if (r.writes) printWrites(r.writes, r);
}

const ms = (s: Summary | undefined, k: 'p50' | 'p99'): string => (s ? fmtMs(s[k]) : '—');

export function printSummary(res: BenchResults): void {
  heading(
    `Summary (etcd fsync ${res.fsync ? 'ON' : 'off (--unsafe-no-fsync)'}; ${res.cores} cores shared by ` +
      'etcd, kube-apiserver, operator, worker and the bench)',
  );
  const raw = [res.raw1, res.rawN].filter((r) => r !== undefined);
  for (const r of raw)
    out(`raw ConfigMap creates, ${r.inFlight} in flight: ${fmt(r.perSecond)} writes/s`);
  out();
  const large = res.large ? [res.large.chain, res.large.wide, res.large.outputs] : [];
  const phases = [res.chain, res.wide, ...large].filter((p) => p !== undefined);
  if (phases.length > 0) printPhaseTable(phases);
  else out('no workload phase ran (see below)');
  const allWrites = phases.reduce((a, p) => a + (p.writes?.all ?? 0), 0);
  const diWrites = phases.reduce((a, p) => a + (p.writes?.daginstances ?? 0), 0);
  const allTasks = phases.reduce((a, p) => a + (p.writes ? p.tasks : 0), 0);
  if (allTasks > 0) {
    out(
      `over all workload phases: ${fmt(diWrites / allTasks, 2)} daginstance writes/task, ` +
        `${fmt(allWrites / allTasks, 2)} API writes/task (all resources)`,
    );
  }
  printRatio(res);
  out();
  out('targets (docs/architecture.md):');
  for (const line of targetLines(targetFigures(res))) out(`  ${line}`);
  out();
  for (const o of res.outcomes) {
    out(`${o.name}: ${o.status === 'ok' ? 'ok' : `${o.status.toUpperCase()}: ${o.reason}`}`);
  }
}

function printRatio(res: BenchResults): void {
  const wide = res.wide;
  if (!wide || !(wide.tasksPerSecond > 0) || !res.rawN) {
    out('wide tasks/s vs raw write rate: not available (a phase did not run to the end)');
    return;
  }
  const ratioN = wide.tasksPerSecond / res.rawN.perSecond;
  const ratio1 = res.raw1 ? wide.tasksPerSecond / res.raw1.perSecond : NaN;
  out(
    `wide fan-out: ${fmt(wide.tasksPerSecond, 1)} tasks/s = ${fmt(ratioN, 2)}× the raw write rate at ` +
      `${res.rawN.inFlight} in flight (${fmt(res.rawN.perSecond)}/s)` +
      (res.raw1
        ? `, ${fmt(ratio1, 2)}× the rate at 1 in flight (${fmt(res.raw1.perSecond)}/s)`
        : ''),
  );
  out(
    ratioN >= 1
      ? '  above 1×: tasks cost less than one API write each (batched assignments and reports)'
      : '  below 1×: the system runs fewer tasks per second than the API server accepts small writes',
  );
  const w = wide.writes;
  if (w && w.seconds > 0) {
    const rate = w.all / w.seconds;
    out(
      `  API writes during the wide phase: ${fmt(rate)}/s, ${fmt((100 * rate) / res.rawN.perSecond)}% of ` +
        `the raw rate` +
        (rate < res.rawN.perSecond / 2
          ? ': well below what the API server accepts, so its write rate is not the limit here'
          : ''),
    );
  }
}

function printPhaseTable(phases: PhaseResult[]): void {
  out(
    table(
      [
        'phase',
        'inst',
        'tasks',
        'ok',
        'tasks/s',
        'hop p50',
        'hop p99',
        'create→run p50',
        'create→run p99',
        'DI wr/task',
        'all wr/task',
      ],
      phases.map((p) => [
        p.name,
        fmt(p.instances),
        fmt(p.tasks),
        `${p.succeeded}/${p.instances}`,
        fmt(p.tasksPerSecond, 1),
        ms(p.hop.total, 'p50'),
        ms(p.hop.total, 'p99'),
        ms(p.createToFirstStartMs, 'p50'),
        ms(p.createToFirstStartMs, 'p99'),
        fmt(perTask(p.writes?.daginstances, p.tasks), 2),
        fmt(perTask(p.writes?.all, p.tasks), 2),
      ]),
    ),
  );
  out(
    "(hop on the wide phase: root done → child running; DI wr/task counts the bench's own creates)",
  );
}
