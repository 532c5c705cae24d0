/**
 * The two workloads: a chain at low load (latency) and a wide fan-out
 * (throughput). Each phase counts the API writes it caused from the API
 * server's metrics, and fails with a reason instead of hanging: every wait
 * races a phase deadline, a stall detector (no instance changed for a while)
 * and the exit of the operator or the worker.
 */
import { scrape, writeCounts, type Scrape, type WriteCounts } from './apiserver-metrics.ts';
import { errorText } from './errors.ts';
import { chainDag, wideDag, type BenchDagSpec } from './dags.ts';
import { describeInstance, isTerminal, type InstanceObject } from './instances.ts';
import { PhaseError, guard, waitDagValid, type PhaseContext, type Running } from './phase-guard.ts';
import { summarize, type Summary } from './stats.ts';
import {
  createToFirstStart,
  finishedAt,
  hopGrowthRatio,
  hops,
  retriedTasks,
  type Hop,
} from './timing.ts';

export { PhaseError, type PhaseContext } from './phase-guard.ts';

export type PhaseResult = {
  name: string;
  /** Undefined when the phase ran to the end with every instance Succeeded. */
  error: string | undefined;
  instances: number;
  tasksPerInstance: number;
  succeeded: number;
  /** Tasks of the instances created (whether they finished or not). */
  tasks: number;
  /** First create (client clock) → last instance finished. */
  seconds: number;
  tasksPerSecond: number;
  /** Hops of tasks with one dependency (chain links, fan-out children). */
  hop: HopSummary;
  /** Hops of tasks with several dependencies (the join): last dependency done → started. */
  joinHop: HopSummary;
  createToFirstStartMs: Summary;
  retried: number;
  writes: WriteCounts | undefined;
  /** Of the first instance: hop p99 of its last 100 tasks ÷ its first 100 (NaN below 200). */
  hopGrowth: number;
};

export type HopSummary = { total: Summary; toScheduled: Summary; toStarted: Summary };

/**
 * Scrapes until the DagInstance write counter has been still for a second
 * (the operator removes worker labels after an instance finishes), at most 5 s.
 */
async function settledScrape(ctx: PhaseContext, before: Scrape): Promise<Scrape> {
  let last = await scrape(ctx.server, ctx.token);
  let lastCount = writeCounts(before, last).daginstances;
  let stillSince = performance.now();
  const end = performance.now() + 5_000;
  while (performance.now() < end && performance.now() - stillSince < 1_000) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await scrape(ctx.server, ctx.token);
    const count = writeCounts(before, now).daginstances;
    if (count !== lastCount) stillSince = performance.now();
    last = now;
    lastCount = count;
  }
  return last;
}

function hopSummary(list: Hop[]): HopSummary {
  return {
    total: summarize(list.map((h) => h.total)),
    toScheduled: summarize(list.map((h) => h.toScheduled)),
    toStarted: summarize(list.map((h) => h.toStarted)),
  };
}

function analyse(
  name: string,
  spec: BenchDagSpec,
  created: Map<string, number>,
  finals: Map<string, InstanceObject>,
  error: string | undefined,
  writes: WriteCounts | undefined,
): PhaseResult {
  const ok = [...finals.values()].filter((i) => i.status?.phase === 'Succeeded');
  const multi = new Set(spec.tasks.filter((t) => (t.dependOn ?? []).length > 1).map((t) => t.id));
  const all = ok.flatMap((i) => hops(spec, i));
  const firstCreate = Math.min(...created.values());
  const lastFinish = Math.max(...ok.map(finishedAt));
  const seconds = ok.length > 0 ? (lastFinish - firstCreate) / 1000 : NaN;
  const doneTasks = ok.length * spec.tasks.length;
  return {
    name,
    error,
    instances: created.size,
    tasksPerInstance: spec.tasks.length,
    succeeded: ok.length,
    tasks: created.size * spec.tasks.length,
    seconds,
    tasksPerSecond: doneTasks / seconds,
    hop: hopSummary(all.filter((h) => !multi.has(h.task))),
    joinHop: hopSummary(all.filter((h) => multi.has(h.task))),
    createToFirstStartMs: summarize(
      ok.map((i) => createToFirstStart(spec, i, created.get(i.metadata.name) ?? NaN)),
    ),
    retried: ok.reduce((a, i) => a + retriedTasks(i), 0),
    writes,
    hopGrowth: ok[0] ? hopGrowthRatio(hops(spec, ok[0]).map((h) => h.total)) : NaN,
  };
}

function failureOf(final: InstanceObject): string | undefined {
  return final.status?.phase === 'Succeeded'
    ? undefined
    : `instance ${final.metadata.name} ended ${final.status?.phase}: ${describeInstance(final)}`;
}

async function waitFinished(run: Running, name: string): Promise<InstanceObject> {
  const w = run.ctx.watch.until(name, isTerminal);
  try {
    return await guard(
      run,
      w.promise,
      () => `${name} to finish (${describeInstance(run.ctx.watch.get(name))})`,
    );
  } finally {
    w.cancel();
  }
}

export type Workload = {
  name: string;
  dag: string;
  spec: BenchDagSpec;
  instances: number;
  /** Instances running at once; the next is created when one finishes. */
  inFlight: number;
};

export async function runWorkload(ctx: PhaseContext, w: Workload): Promise<PhaseResult> {
  const run: Running = { ctx, deadline: Date.now() + ctx.timeoutMs, abort: new AbortController() };
  const created = new Map<string, number>();
  const finals = new Map<string, InstanceObject>();
  let error: string | undefined;
  let writes: WriteCounts | undefined;
  try {
    await ctx.api.createDag(w.dag, w.spec);
    await waitDagValid(run, w.dag);
    const before = await scrape(ctx.server, ctx.token);
    let next = 0;
    const width = String(w.instances).length;
    const lane = async (): Promise<void> => {
      while (!run.abort.signal.aborted && next < w.instances) {
        const name = `${w.name}-${String(next++).padStart(width, '0')}`;
        created.set(name, Date.now());
        await ctx.api.createInstance(name, w.dag);
        const final = await ctx.api.whole(await waitFinished(run, name));
        finals.set(name, final);
        const failed = failureOf(final);
        if (failed) throw new PhaseError(failed);
      }
    };
    const lanes = await Promise.allSettled(
      Array.from({ length: Math.min(w.inFlight, w.instances) }, () =>
        lane().catch((e: unknown) => {
          run.abort.abort();
          throw e;
        }),
      ),
    );
    // The first failure that is not just "another lane failed".
    const failures = lanes.flatMap((l) => (l.status === 'rejected' ? [l.reason as unknown] : []));
    const first =
      failures.find((e) => !(e instanceof PhaseError && e.message.startsWith('aborted'))) ??
      failures[0];
    if (first !== undefined) error = errorText(first);
    writes = writeCounts(before, await settledScrape(ctx, before));
  } catch (e) {
    error ??= errorText(e);
  }
  return analyse(w.name, w.spec, created, finals, error, writes);
}

/** M instances of a chain, at most `parallel` at once: latency at low load. */
export function runChain(
  ctx: PhaseContext,
  o: { instances: number; length: number; parallel: number; stepMs: number },
): Promise<PhaseResult> {
  return runWorkload(ctx, {
    name: 'chain',
    dag: 'bench-chain',
    spec: chainDag(o.length, o.stepMs),
    instances: o.instances,
    inFlight: o.parallel,
  });
}

/** K instances of root → W children → join, all created at once: throughput. */
export function runWide(
  ctx: PhaseContext,
  o: { instances: number; width: number },
): Promise<PhaseResult> {
  return runWorkload(ctx, {
    name: 'wide',
    dag: 'bench-wide',
    spec: wideDag(o.width),
    instances: o.instances,
    inFlight: o.instances,
  });
}
