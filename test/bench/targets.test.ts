import { describe, expect, it } from 'vitest';
import { parseInstanceWatchEvents } from './apiserver-metrics.ts';
import { noResults, type BenchResults } from './report.ts';
import type { PhaseResult } from './scenarios.ts';
import { metricSum } from './scenarios-live.ts';
import { summarize } from './stats.ts';
import { TARGETS, targetFigures, targetLines } from './targets.ts';
import { hopGrowthRatio } from './timing.ts';

function phase(over: Partial<PhaseResult>): PhaseResult {
  const s = summarize([10, 20, 30]);
  return {
    name: 'chain',
    error: undefined,
    instances: 1,
    tasksPerInstance: 10,
    succeeded: 1,
    tasks: 10,
    seconds: 2,
    tasksPerSecond: 5,
    hop: { total: s, toScheduled: s, toStarted: s },
    joinHop: { total: s, toScheduled: s, toStarted: s },
    createToFirstStartMs: s,
    retried: 0,
    writes: undefined,
    hopGrowth: NaN,
    ...over,
  };
}

const empty: BenchResults = noResults(false, 2);

describe('bench target figures', () => {
  it('has every key of the issue, null when a phase did not run', () => {
    const t = targetFigures(empty);
    expect(Object.keys(t)).toEqual(['raw', 'chain', 'wide', 'large', 'live', 'flow']);
    expect(Object.keys(t.large)).toEqual([
      'chain2000Seconds',
      'wide2000Seconds',
      'hopP99GrowthRatio',
      'maxObjectBytes',
      'outputs500Seconds',
    ]);
    expect(Object.keys(t.flow)).toEqual([
      'signalToRunP50Ms',
      'switchHopP50Ms',
      'fanout5000Seconds',
      'maxObjectBytes',
      'loop1000Seconds',
    ]);
    expect(Object.values(t).flatMap((g) => Object.values(g))).toEqual(
      Array.from({ length: 21 }, () => null),
    );
    // NaN would not survive JSON: every figure is a number or null.
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
  });

  it('takes figures from a phase that ran to the end, none from a failed one', () => {
    const writes = {
      seconds: 1,
      daginstances: 10,
      leases: 0,
      controllerrevisions: 0,
      all: 15,
      breakdown: new Map(),
      others: new Map(),
      daginstanceConflicts: 0,
      instanceWatchEvents: 30,
    };
    const t = targetFigures({
      ...empty,
      chain: phase({ writes }),
      wide: phase({ name: 'wide', writes, error: 'stalled' }),
    });
    expect(t.chain).toEqual({
      hopP50Ms: 20,
      hopP99Ms: 30,
      createToRunP50Ms: 20,
      writesPerTask: 1.5,
    });
    expect(t.wide).toEqual({ tasksPerSec: null, eventsPerWrite: null });
    const ok = targetFigures({ ...empty, wide: phase({ name: 'wide', writes }) });
    // 30 events for 10 writes, one of each to the bench's own watch: 2 a write to others.
    expect(ok.wide.eventsPerWrite).toBe(2);
  });

  it('says met, NOT met or not measured for each target', () => {
    const t = targetFigures({ ...empty, chain: phase({}) });
    const lines = targetLines(t);
    expect(lines).toHaveLength(TARGETS.length);
    expect(lines).toContain('chain.hopP50Ms = 20 (target ≤ 5): NOT met');
    expect(lines).toContain('live.failoverSeconds = — (target ≤ 20): not measured');
  });
});

describe('bench figures from raw data', () => {
  it('hop growth compares the p99 of the last 100 hops with the first 100', () => {
    const hops = [
      ...Array.from({ length: 100 }, () => 10),
      ...Array.from({ length: 100 }, () => 30),
    ];
    expect(hopGrowthRatio(hops)).toBe(3);
    expect(hopGrowthRatio(hops.slice(0, 150))).toBeNaN();
  });

  it('counts DagInstance watch events under either label scheme', () => {
    const text = [
      'apiserver_watch_events_total{group="fastflow.io",kind="DagInstance",version="v1alpha1"} 5',
      'apiserver_watch_events_total{group="fastflow.io",resource="daginstances",version="v1alpha1"} 7',
      'apiserver_watch_events_total{group="fastflow.io",resource="dags",version="v1alpha1"} 100',
      'apiserver_watch_events_total{group="",resource="configmaps",version="v1"} 100',
    ].join('\n');
    expect(parseInstanceWatchEvents(text)).toBe(12);
  });

  it('sums a metric by name and label, not a metric whose name it prefixes', () => {
    const text = [
      'fastflow_is_leader 1',
      'fastflow_is_leader_other 5',
      'fastflow_workqueue_depth{controller="daginstance"} 3',
      'fastflow_workqueue_depth{controller="dag"} 4',
    ].join('\n');
    expect(metricSum(text, 'fastflow_is_leader')).toBe(1);
    expect(metricSum(text, 'fastflow_workqueue_depth', 'controller="daginstance"')).toBe(3);
  });
});
