/**
 * 10,000 live instances: each runs one task and then stays Blocked by a
 * preCheck. With them live: the leader's memory, how fast a new instance
 * starts, and how long a standby takes, after kill -9 of the leader, to hold
 * the Lease and have reconciled every instance.
 */
import { readFileSync } from 'node:fs';
import { liveDag } from './dags.ts';
import type { InstanceObject } from './instances.ts';
import { guard, waitDagValid, PhaseError, type PhaseContext, type Running } from './phase-guard.ts';
import { summarize } from './stats.ts';
import { createToFirstStart } from './timing.ts';

export type LiveResult = {
  instances: number;
  operatorRssMiB: number | undefined;
  createToRunP99Ms: number | undefined;
  failoverSeconds: number | undefined;
  error: string | undefined;
};

const DAG = 'bench-live';
const CREATE_IN_FLIGHT = 32;
const PROBES = 100;

const blocked = (i: InstanceObject): boolean => i.status?.phase === 'Blocked';

/** Resident memory of a process, from /proc (Linux). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Sum of a metric's samples whose labels contain `match`, from Prometheus text. */
export function metricSum(text: string, name: string, match = ''): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !line.includes(match)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    total += Number(line.split(' ').pop());
  }
  return total;
}

async function createAll(run: Running, names: string[]): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < names.length) await run.ctx.api.createInstance(names[next++] ?? '', DAG);
  };
  await Promise.all(Array.from({ length: CREATE_IN_FLIGHT }, lane));
}

async function waitAllBlocked(run: Running, n: number): Promise<void> {
  const all = new Promise<void>((resolve) => {
    const tick = (): void => {
      if (run.ctx.watch.count(blocked) >= n) resolve();
      else setTimeout(tick, 500);
    };
    tick();
  });
  await guard(run, all, () => `${n} instances Blocked (${run.ctx.watch.count(blocked)} so far)`);
}

/** New instances, one at a time, while the others are live: create → first task running. */
async function probeStarts(run: Running): Promise<number> {
  const spec = liveDag();
  const samples: number[] = [];
  for (let i = 0; i < PROBES; i++) {
    const name = `live-probe-${i}`;
    const created = Date.now();
    await run.ctx.api.createInstance(name, DAG);
    const w = run.ctx.watch.until(name, (o) => o.status?.tasks?.['first']?.startedAt !== undefined);
    const inst = await guard(run, w.promise, () => `${name} to start`).finally(w.cancel);
    samples.push(createToFirstStart(spec, inst, created));
  }
  return summarize(samples).p99;
}

async function waitReady(run: Running, url: string): Promise<void> {
  const ready = (async () => {
    for (;;) {
      const ok = await fetch(url).then(
        (r) => r.ok,
        () => false,
      );
      if (ok || Date.now() > run.deadline) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  await guard(run, ready, () => `the standby operator to be ready (${url})`);
}

/** kill -9 the leader; seconds until the standby leads and has reconciled `n` instances. */
async function failover(run: Running, metricsUrl: string, n: number): Promise<number> {
  const scrapeStandby = async (): Promise<string> => (await fetch(metricsUrl)).text();
  const before = metricSum(
    await scrapeStandby(),
    'fastflow_reconcile_duration_seconds_count',
    'controller="daginstance"',
  );
  const t0 = performance.now();
  run.ctx.procs.kill('operator');
  for (;;) {
    if (Date.now() > run.deadline) throw new PhaseError('the standby did not take over in time');
    const text = await scrapeStandby().catch(() => '');
    const leading = metricSum(text, 'fastflow_is_leader') === 1;
    const passes =
      metricSum(text, 'fastflow_reconcile_duration_seconds_count', 'controller="daginstance"') -
      before;
    const depth = metricSum(text, 'fastflow_workqueue_depth', 'controller="daginstance"');
    if (leading && passes >= n && depth === 0) return (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function runLive(
  ctx: PhaseContext,
  o: { instances: number; standbyMetricsPort: number },
): Promise<LiveResult> {
  const run: Running = { ctx, deadline: Date.now() + ctx.timeoutMs, abort: new AbortController() };
  const res: LiveResult = {
    instances: o.instances,
    operatorRssMiB: undefined,
    createToRunP99Ms: undefined,
    failoverSeconds: undefined,
    error: undefined,
  };
  try {
    // The standby starts before the load, as in a cluster: its caches fill while instances come.
    ctx.procs.addOperator('standby', o.standbyMetricsPort);
    await waitReady(run, `http://127.0.0.1:${o.standbyMetricsPort}/readyz`);
    await ctx.api.createDag(DAG, liveDag());
    await waitDagValid(run, DAG);
    const width = String(o.instances).length;
    const names = Array.from(
      { length: o.instances },
      (_, i) => `live-${String(i).padStart(width, '0')}`,
    );
    await createAll(run, names);
    await waitAllBlocked(run, o.instances);
    const pid = ctx.procs.pid('operator');
    res.operatorRssMiB = pid === undefined ? undefined : rssMiB(pid);
    res.createToRunP99Ms = await probeStarts(run);
    await waitAllBlocked(run, o.instances + PROBES);
    res.failoverSeconds = await failover(
      run,
      `http://127.0.0.1:${o.standbyMetricsPort}/metrics`,
      o.instances + PROBES,
    );
  } catch (e) {
    res.error = e instanceof Error ? e.message : String(e);
  }
  return res;
}
