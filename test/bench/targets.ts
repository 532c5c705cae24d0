/**
 * The figures "State that scales" sets targets for, as one JSON object with
 * fixed keys (`npm run bench -- --json FILE`), so runs can be compared. A
 * figure a run did not measure (its phase was not picked, or failed before
 * it) is null, never left out: every run has the same keys.
 */
import type { BenchResults } from './report.ts';

export type Figure = number | null;

export type BenchTargets = {
  raw: { sequentialPerSec: Figure; parallel32PerSec: Figure };
  chain: { hopP50Ms: Figure; hopP99Ms: Figure; createToRunP50Ms: Figure; writesPerTask: Figure };
  wide: { tasksPerSec: Figure; eventsPerWrite: Figure };
  large: {
    chain2000Seconds: Figure;
    wide2000Seconds: Figure;
    hopP99GrowthRatio: Figure;
    maxObjectBytes: Figure;
    outputs500Seconds: Figure;
  };
  live: { operatorRssMiB: Figure; createToRunP99Ms: Figure; failoverSeconds: Figure };
  flow: {
    signalToRunP50Ms: Figure;
    switchHopP50Ms: Figure;
    fanout5000Seconds: Figure;
    maxObjectBytes: Figure;
    loop1000Seconds: Figure;
  };
};

/** A finite number, else null (NaN and ±Infinity are not JSON). */
export function figure(value: number | undefined): Figure {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/** Figures only from a phase that ran to the end. */
const done = <T extends { error: string | undefined }>(p: T | undefined): T | undefined =>
  p?.error === undefined ? p : undefined;

export function targetFigures(res: BenchResults): BenchTargets {
  const chain = done(res.chain);
  const wide = done(res.wide);
  const w = wide?.writes;
  // Every DagInstance write sends one event to the bench's own watch: not counted.
  const eventsPerWrite =
    w && w.daginstances > 0 ? (w.instanceWatchEvents - w.daginstances) / w.daginstances : NaN;
  const large = res.large;
  return {
    raw: {
      sequentialPerSec: figure(res.raw1?.perSecond),
      parallel32PerSec: figure(res.rawN?.perSecond),
    },
    chain: {
      hopP50Ms: figure(chain?.hop.total.p50),
      hopP99Ms: figure(chain?.hop.total.p99),
      createToRunP50Ms: figure(chain?.createToFirstStartMs.p50),
      writesPerTask: figure(chain?.writes ? chain.writes.all / chain.tasks : undefined),
    },
    wide: { tasksPerSec: figure(wide?.tasksPerSecond), eventsPerWrite: figure(eventsPerWrite) },
    large: {
      chain2000Seconds: figure(done(large?.chain)?.seconds),
      wide2000Seconds: figure(done(large?.wide)?.seconds),
      hopP99GrowthRatio: figure(done(large?.chain)?.hopGrowth),
      maxObjectBytes: figure(large?.maxObjectBytes),
      outputs500Seconds: figure(done(large?.outputs)?.seconds),
    },
    live: {
      operatorRssMiB: figure(res.live?.operatorRssMiB),
      createToRunP99Ms: figure(res.live?.createToRunP99Ms),
      failoverSeconds: figure(res.live?.failoverSeconds),
    },
    flow: {
      signalToRunP50Ms: figure(done(res.flow)?.signalToRunP50Ms),
      switchHopP50Ms: figure(done(res.flow)?.switchHopP50Ms),
      fanout5000Seconds: figure(done(res.grow?.fanOut)?.seconds),
      maxObjectBytes: figure(res.grow?.maxObjectBytes),
      loop1000Seconds: figure(done(res.grow?.loop)?.seconds),
    },
  };
}

type Check = { key: string; ok: (t: BenchTargets) => boolean | undefined; goal: string };

const atMost = (v: Figure, max: number): boolean | undefined => (v === null ? undefined : v <= max);

/** The targets; `ok` is undefined when the figure was not measured. */
export const TARGETS: readonly Check[] = [
  { key: 'chain.hopP50Ms', goal: '≤ 5', ok: (t) => atMost(t.chain.hopP50Ms, 5) },
  { key: 'chain.hopP99Ms', goal: '≤ 30', ok: (t) => atMost(t.chain.hopP99Ms, 30) },
  { key: 'chain.createToRunP50Ms', goal: '≤ 30', ok: (t) => atMost(t.chain.createToRunP50Ms, 30) },
  { key: 'chain.writesPerTask', goal: '≤ 1.5', ok: (t) => atMost(t.chain.writesPerTask, 1.5) },
  {
    key: 'wide.tasksPerSec',
    goal: '≥ raw.parallel32PerSec',
    ok: (t) =>
      t.wide.tasksPerSec === null || t.raw.parallel32PerSec === null
        ? undefined
        : t.wide.tasksPerSec >= t.raw.parallel32PerSec,
  },
  { key: 'wide.eventsPerWrite', goal: '≤ 2', ok: (t) => atMost(t.wide.eventsPerWrite, 2) },
  {
    key: 'large.hopP99GrowthRatio',
    goal: '≤ 2',
    ok: (t) => atMost(t.large.hopP99GrowthRatio, 2),
  },
  {
    key: 'large.maxObjectBytes',
    goal: '≤ 262144',
    ok: (t) => atMost(t.large.maxObjectBytes, 262_144),
  },
  { key: 'live.operatorRssMiB', goal: '≤ 512', ok: (t) => atMost(t.live.operatorRssMiB, 512) },
  { key: 'live.createToRunP99Ms', goal: '≤ 100', ok: (t) => atMost(t.live.createToRunP99Ms, 100) },
  { key: 'live.failoverSeconds', goal: '≤ 20', ok: (t) => atMost(t.live.failoverSeconds, 20) },
  { key: 'flow.signalToRunP50Ms', goal: '≤ 30', ok: (t) => atMost(t.flow.signalToRunP50Ms, 30) },
  {
    // The chain hop is pre-assigned (in-process, ≈ 0 ms); a switch is decided by the operator.
    key: 'flow.switchHopP50Ms',
    goal: '≤ 1.5 × chain.hopP50Ms',
    ok: (t) =>
      t.flow.switchHopP50Ms === null || t.chain.hopP50Ms === null
        ? undefined
        : t.flow.switchHopP50Ms <= 1.5 * t.chain.hopP50Ms,
  },
  {
    key: 'flow.maxObjectBytes',
    goal: '≤ 262144',
    ok: (t) => atMost(t.flow.maxObjectBytes, 262_144),
  },
];

/** One line a target: "met", "NOT met" or "not measured", with the figure. */
export function targetLines(t: BenchTargets): string[] {
  return TARGETS.map(({ key, goal, ok }) => {
    const [group = '', name = ''] = key.split('.');
    const value = (t as unknown as Record<string, Record<string, Figure>>)[group]?.[name] ?? null;
    const verdict = ok(t);
    const shown = value === null ? '—' : String(Math.round(value * 100) / 100);
    const word = verdict === undefined ? 'not measured' : verdict ? 'met' : 'NOT met';
    return `${key} = ${shown} (target ${goal}): ${word}`;
  });
}
