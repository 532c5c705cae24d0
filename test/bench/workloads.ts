/**
 * The phases that run fastflow itself: start the operator and the workers,
 * then the chain, wide, large and live workloads the options picked, each
 * printed as it ends and recorded in the results (a failed phase records its
 * reason and the processes' log tails instead of stopping the run).
 */
import { fileURLToPath } from 'node:url';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { freePorts } from '../local-cluster/ports.ts';
import type { ControlPlane } from '../local-cluster/control-plane.ts';
import { errorText } from './errors.ts';
import { BenchApi } from './instances.ts';
import { InstanceWatch } from './instance-watch.ts';
import type { BenchOptions } from './options.ts';
import { BenchProcesses } from './processes.ts';
import { heading, printPhase, type BenchResults } from './report.ts';
import { runLarge } from './scenarios-large.ts';
import { runFlow } from './scenarios-flow.ts';
import { runGrow } from './scenarios-grow.ts';
import { runLive } from './scenarios-live.ts';
import { runChain, runWide, type PhaseContext, type PhaseResult } from './scenarios.ts';

export const NAMESPACE = 'bench';
const BENCH_ACTIONS = fileURLToPath(new URL('./actions.ts', import.meta.url));

/** What the run started, for the cleanup of bench.ts. */
export type Started = { procs?: BenchProcesses; watch?: InstanceWatch };

export const FASTFLOW_PHASES = ['chain', 'wide', 'large', 'live', 'flow', 'grow'] as const;

/** Starts the operator and the workers; the reason when they do not come up. */
async function startSystem(
  kc: KubeConfig,
  cp: ControlPlane,
  opts: BenchOptions,
  started: Started,
): Promise<string | undefined> {
  heading(
    `Starting fastflow: 1 operator, ${opts.workers} worker(s) (--concurrency ${opts.workerConcurrency} each)`,
  );
  const procs = new BenchProcesses({
    kubeconfig: cp.kubeconfigPath,
    namespace: NAMESPACE,
    workers: opts.workers,
    workerConcurrency: opts.workerConcurrency,
    operatorConcurrency: opts.operatorConcurrency,
    workerActions: [BENCH_ACTIONS],
  });
  started.procs = procs;
  procs.start();
  const t0 = performance.now();
  try {
    await procs.ready(kc);
    console.log(
      `operator leader and worker Leases up in ${((performance.now() - t0) / 1000).toFixed(1)} s ` +
        `(logs: ${procs.logDir})`,
    );
    return undefined;
  } catch (e) {
    const reason = `operator/workers did not start: ${errorText(e)}`;
    console.log(`FAILED: ${reason}\n${procs.tails()}`);
    return reason;
  }
}

function record(res: BenchResults, name: string, error: string | undefined, tails: string): void {
  if (error === undefined) {
    res.outcomes.push({ name, status: 'ok' });
    return;
  }
  res.outcomes.push({ name, status: 'failed', reason: error });
  console.log(`FAILED: ${error}\n${tails}`);
}

async function workloadPhase(
  ctx: PhaseContext,
  title: string,
  name: string,
  res: BenchResults,
  run: () => Promise<PhaseResult>,
): Promise<PhaseResult | undefined> {
  heading(title);
  let r: PhaseResult;
  try {
    r = await run();
  } catch (e) {
    record(res, name, errorText(e), ctx.procs.tails());
    return undefined;
  }
  if (r.succeeded > 0) printPhase(r);
  record(res, name, r.error, ctx.procs.tails());
  return r;
}

export async function fastflowPhases(
  kc: KubeConfig,
  cp: ControlPlane,
  opts: BenchOptions,
  res: BenchResults,
  started: Started,
): Promise<void> {
  const wanted = FASTFLOW_PHASES.filter((p) => opts.phases.has(p));
  if (wanted.length === 0) return;
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
  const notUp = await startSystem(kc, cp, opts, started);
  const procs = started.procs;
  if (notUp !== undefined || !procs) {
    for (const p of wanted)
      res.outcomes.push({ name: p, status: 'skipped', reason: notUp ?? 'not started' });
    return;
  }
  const api = new BenchApi(kc, NAMESPACE);
  const watch = new InstanceWatch(kc, api);
  started.watch = watch;
  await watch.start();
  const ctx: PhaseContext = {
    api,
    watch,
    procs,
    server: cp.server,
    token: cp.tokens.admin,
    timeoutMs: opts.phaseTimeoutSecs * 1000,
    stallMs: opts.stallSecs * 1000,
    log: (m) => console.log(m),
  };
  for (const phase of wanted) {
    const gone = procs.exitReason();
    if (gone !== undefined) {
      res.outcomes.push({ name: phase, status: 'skipped', reason: gone });
      continue;
    }
    await PHASE_RUNNERS[phase](ctx, kc, opts, res);
  }
}

type Runner = (
  ctx: PhaseContext,
  kc: KubeConfig,
  opts: BenchOptions,
  res: BenchResults,
) => Promise<void>;

const PHASE_RUNNERS: Record<(typeof FASTFLOW_PHASES)[number], Runner> = {
  async chain(ctx, _kc, opts, res) {
    res.chain = await workloadPhase(
      ctx,
      `2. Chain at low load: ${opts.chainInstances} instances of a ${opts.chainLength}-task chain of ` +
        (opts.chainStepMs > 0 ? `${opts.chainStepMs} ms tasks` : 'no-op tasks') +
        `, at most ${opts.chainParallel} running at once`,
      'chain',
      res,
      () =>
        runChain(ctx, {
          instances: opts.chainInstances,
          length: opts.chainLength,
          parallel: opts.chainParallel,
          stepMs: opts.chainStepMs,
        }),
    );
  },
  async wide(ctx, _kc, opts, res) {
    res.wide = await workloadPhase(
      ctx,
      `3. Wide fan-out: ${opts.wideInstances} instances of root → ${opts.wideWidth} no-op children → ` +
        'join, created at once',
      'wide',
      res,
      () => runWide(ctx, { instances: opts.wideInstances, width: opts.wideWidth }),
    );
  },
  async large(ctx, kc, opts, res) {
    heading('4. Large instances, one at a time');
    const large = await runLarge(
      { ...ctx, timeoutMs: opts.largeTimeoutSecs * 1000 },
      kc,
      {
        chain: opts.largeChain,
        wide: opts.largeWide,
        outputs: opts.largeOutputs,
        outputBytes: opts.outputBytes,
      },
      (title, r) => {
        heading(`4. ${title}`);
        if (r.succeeded > 0) printPhase(r);
      },
    );
    res.large = large;
    const errors = [large.chain, large.wide, large.outputs].flatMap((r) =>
      r?.error === undefined ? [] : [`${r.name}: ${r.error}`],
    );
    console.log(
      `largest object in the namespace: ${large.maxObjectBytes ?? '—'} bytes (${large.largest ?? '—'})`,
    );
    record(res, 'large', errors.length > 0 ? errors.join('; ') : undefined, ctx.procs.tails());
  },
  async live(ctx, _kc, opts, res) {
    heading(
      `5. ${opts.liveInstances} live instances (each Blocked by a preCheck after one task), ` +
        'a standby operator, then kill -9 of the leader',
    );
    const [port = 0] = await freePorts(1);
    const live = await runLive(
      { ...ctx, timeoutMs: opts.largeTimeoutSecs * 1000 },
      { instances: opts.liveInstances, standbyMetricsPort: port },
    );
    res.live = live;
    console.log(
      `operator RSS ${live.operatorRssMiB?.toFixed(0) ?? '—'} MiB; new instance create → running p99 ` +
        `${live.createToRunP99Ms?.toFixed(0) ?? '—'} ms; failover ${live.failoverSeconds?.toFixed(1) ?? '—'} s`,
    );
    record(res, 'live', live.error, ctx.procs.tails());
  },
  async flow(ctx, _kc, opts, res) {
    heading(
      `6. Control flow: ${opts.flowApprovals} approvals and switches, one at a time (approval given → next task running; switch hop)`,
    );
    const flow = await runFlow(ctx, { approvals: opts.flowApprovals });
    res.flow = flow;
    console.log(
      `approval given → next task running p50 ${flow.signalToRunP50Ms?.toFixed(0) ?? '—'} ms, ` +
        `p99 ${flow.signalToRunP99Ms?.toFixed(0) ?? '—'} ms; switch hop p50 ` +
        `${flow.switchHopP50Ms?.toFixed(0) ?? '—'} ms, p99 ${flow.switchHopP99Ms?.toFixed(0) ?? '—'} ms`,
    );
    record(res, 'flow', flow.error, ctx.procs.tails());
  },
  async grow(ctx, kc, opts, res) {
    heading('7. What grows at run time, one instance at a time');
    const grow = await runGrow(
      { ...ctx, timeoutMs: opts.largeTimeoutSecs * 1000 },
      kc,
      { items: opts.growItems, iterations: opts.growIterations },
      (title, r) => {
        heading(`7. ${title}`);
        if (r.succeeded > 0) printPhase(r);
      },
    );
    res.grow = grow;
    console.log(`largest object: ${grow.maxObjectBytes ?? '—'} bytes (${grow.largest ?? '—'})`);
    const errors = [grow.fanOut, grow.loop].flatMap((r) =>
      r?.error === undefined ? [] : [`${r.name}: ${r.error}`],
    );
    record(res, 'grow', errors.length > 0 ? errors.join('; ') : undefined, ctx.procs.tails());
  },
};
