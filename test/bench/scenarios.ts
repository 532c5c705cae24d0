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
import {
  describeInstance,
  isTerminal,
  type BenchApi,
  type InstanceObject,
  type InstanceWatch,
} from './instances.ts';
import type { BenchProcesses } from './processes.ts';
import { summarize, type Summary } from './stats.ts';
import { createToFirstStart, finishedAt, hops, retriedTasks, type Hop } from './timing.ts';

export type PhaseContext = {
  api: BenchApi;
  watch: InstanceWatch;
  procs: BenchProcesses;
  server: string;
  token: string;
  /** Whole-phase deadline. */
  timeoutMs: number;
  /** Fail when no instance of the namespace changed for this long. */
  stallMs: number;
  log: (msg: string) => void;
};

export class PhaseError extends Error {}

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
};

export type HopSummary = { total: Summary; toScheduled: Summary; toStarted: Summary };

type Running = {
  ctx: PhaseContext;
  deadline: number;
  abort: AbortController;
};

/** Resolves with `p`, or rejects with a PhaseError saying why waiting stopped. */
async function guard<T>(run: Running, p: Promise<T>, waitingFor: () => string): Promise<T> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const { ctx } = run;
  const check = new Promise<never>((_, reject) => {
    const tick = (): void => {
      const gone = ctx.procs.exitReason();
      const quietMs = performance.now() - Math.max(start, ctx.watch.lastChange);
      if (run.abort.signal.aborted) reject(new PhaseError('aborted: another wait failed'));
      else if (gone) reject(new PhaseError(`${gone} while waiting for ${waitingFor()}`));
      else if (Date.now() > run.deadline) {
        reject(
          new PhaseError(`phase timeout (${ctx.timeoutMs / 1000} s) waiting for ${waitingFor()}`),
        );
      } else if (quietMs > ctx.stallMs) {
        const watchNote = ctx.watch.lastWatchError
          ? ` (last watch error: ${ctx.watch.lastWatchError})`
          : '';
        reject(
          new PhaseError(
            `no progress: no instance changed for ${Math.round(quietMs / 1000)} s while waiting for ` +
              `${waitingFor()}${watchNote}`,
          ),
        );
      } else timer = setTimeout(tick, 250);
    };
    tick();
  });
  try {
    return await Promise.race([p, check]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits for the operator to validate the Dag, so the first instance does not
 * pay for it. An invalid Dag fails the phase; no verdict within 10 s only
 * warns (instances may still run).
 */
async function waitDagValid(run: Running, name: string): Promise<void> {
  let last: { valid?: boolean; message?: string } | undefined;
  const until = Math.min(run.deadline, Date.now() + Math.min(run.ctx.stallMs, 10_000));
  while (Date.now() < until) {
    const gone = run.ctx.procs.exitReason();
    if (gone) throw new PhaseError(`${gone} while waiting for Dag ${name} to be validated`);
    last = await run.ctx.api.getDagStatus(name);
    if (last?.valid === true) return;
    if (last?.valid === false)
      throw new PhaseError(`Dag ${name} is invalid: ${last.message ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  run.ctx.log(
    `warning: Dag ${name} got no status.valid in 10 s (status ${JSON.stringify(last ?? null)}); ` +
      'creating instances anyway',
  );
}

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

type Workload = {
  name: string;
  dag: string;
  spec: BenchDagSpec;
  instances: number;
  /** Instances running at once; the next is created when one finishes. */
  inFlight: number;
};

async function runWorkload(ctx: PhaseContext, w: Workload): Promise<PhaseResult> {
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
        const final = await waitFinished(run, name);
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
  o: { instances: number; length: number; parallel: number },
): Promise<PhaseResult> {
  return runWorkload(ctx, {
    name: 'chain',
    dag: 'bench-chain',
    spec: chainDag(o.length),
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
