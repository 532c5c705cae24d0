/**
 * `npm run bench`: fastflow on a local control plane (etcd + kube-apiserver
 * on loopback), one operator and one worker as OS processes. Prints figures;
 * asserts nothing about timings. Phases:
 *   1. raw API-server write rate (ConfigMap creates, 1 and N in flight);
 *   2. a chain at low load: hop latency, create → first task running;
 *   3. a wide fan-out: tasks/s, compared with the raw write rate;
 * and for 2 and 3 the API writes per task from the API server's metrics.
 * A phase that cannot finish fails with its reason and the processes' log
 * tails instead of hanging; everything started is stopped at the end, on
 * error and on SIGINT/SIGTERM. Exit code 1 when a phase failed.
 */
import { availableParallelism } from 'node:os';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../local-cluster/control-plane.ts';
import { installCrds } from '../local-cluster/kubectl.ts';
import { wideDag } from './dags.ts';
import { errorText } from './errors.ts';
import { BenchApi, InstanceWatch } from './instances.ts';
import { parseOptions, usage, type BenchOptions } from './options.ts';
import { BenchProcesses } from './processes.ts';
import { measureCreates } from './raw-writes.ts';
import { heading, printPhase, printRaw, printSummary, type BenchResults } from './report.ts';
import { runChain, runWide, type PhaseContext, type PhaseResult } from './scenarios.ts';

const NAMESPACE = 'bench';
const RAW_NAMESPACE = 'bench-raw';

const log = (msg: string): void => {
  process.stderr.write(`bench: ${msg}\n`);
};

let cp: ControlPlane | undefined;
let procs: BenchProcesses | undefined;
let watch: InstanceWatch | undefined;
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    watch?.stop();
    await procs?.stop();
    await cp?.stop();
  })();
  return cleaning;
}

// Backstop: whatever happens, no operator or worker outlives us (the control
// plane module kills etcd and kube-apiserver on exit itself).
process.on('exit', () => procs?.killNow());
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130); // second Ctrl-C: the exit handlers SIGKILL
    interrupted = true;
    log(`${signal}: stopping the operator, the worker and the control plane`);
    void cleanup().finally(() => {
      if (procs) log(`operator and worker logs kept in ${procs.logDir}`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  });
}

async function createNamespace(kc: KubeConfig, name: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
}

async function rawPhase(kc: KubeConfig, opts: BenchOptions, res: BenchResults): Promise<void> {
  heading(
    '1. Raw API-server write rate (small ConfigMap creates, one pooled keep-alive transport)',
  );
  try {
    await createNamespace(kc, RAW_NAMESPACE);
    res.raw1 = await measureCreates(kc, RAW_NAMESPACE, {
      count: opts.rawSequential,
      inFlight: 1,
      rounds: opts.rawRounds,
      label: 'seq',
    });
    printRaw(res.raw1);
    res.rawN = await measureCreates(kc, RAW_NAMESPACE, {
      count: opts.rawParallel,
      inFlight: opts.rawInFlight,
      rounds: opts.rawRounds,
      label: 'par',
    });
    printRaw(res.rawN);
    res.outcomes.push({ name: 'raw writes', status: 'ok' });
  } catch (e) {
    console.log(`FAILED: ${errorText(e)}`);
    res.outcomes.push({ name: 'raw writes', status: 'failed', reason: errorText(e) });
  }
}

/** Starts the operator and the worker; undefined (and the reason printed) when they do not come up. */
async function startSystem(kc: KubeConfig, opts: BenchOptions): Promise<string | undefined> {
  if (!cp) throw new Error('no control plane');
  heading('Starting fastflow: 1 operator, 1 worker (--concurrency ' + opts.workerConcurrency + ')');
  procs = new BenchProcesses({ kubeconfig: cp.kubeconfigPath, namespace: NAMESPACE });
  procs.start({
    workerConcurrency: opts.workerConcurrency,
    operatorConcurrency: opts.operatorConcurrency,
  });
  const t0 = performance.now();
  try {
    await procs.ready(kc);
    console.log(
      `operator leader and worker Lease up in ${((performance.now() - t0) / 1000).toFixed(1)} s ` +
        `(logs: ${procs.logDir})`,
    );
    return undefined;
  } catch (e) {
    const reason = `operator/worker did not start: ${errorText(e)}`;
    console.log(`FAILED: ${reason}\n${procs.tails()}`);
    return reason;
  }
}

async function workloadPhase(
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
    res.outcomes.push({ name, status: 'failed', reason: errorText(e) });
    console.log(`FAILED: ${errorText(e)}\n${procs?.tails() ?? ''}`);
    return undefined;
  }
  if (r.succeeded > 0) printPhase(r);
  if (r.error !== undefined) {
    res.outcomes.push({ name, status: 'failed', reason: r.error });
    console.log(`FAILED: ${r.error}\n${procs?.tails() ?? ''}`);
  } else {
    res.outcomes.push({ name, status: 'ok' });
  }
  return r;
}

async function fastflowPhases(
  kc: KubeConfig,
  opts: BenchOptions,
  res: BenchResults,
): Promise<void> {
  const wanted = (['chain', 'wide'] as const).filter((p) => opts.phases.has(p));
  if (wanted.length === 0 || !cp) return;
  await createNamespace(kc, NAMESPACE);
  const notUp = await startSystem(kc, opts);
  if (notUp !== undefined || !procs) {
    for (const p of wanted)
      res.outcomes.push({ name: p, status: 'skipped', reason: notUp ?? 'not started' });
    return;
  }
  const api = new BenchApi(kc, NAMESPACE);
  watch = new InstanceWatch(kc, api);
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
  if (opts.phases.has('chain')) {
    res.chain = await workloadPhase(
      `2. Chain at low load: ${opts.chainInstances} instances of a ${opts.chainLength}-task chain of ` +
        `no-op tasks, at most ${opts.chainParallel} running at once`,
      'chain',
      res,
      () =>
        runChain(ctx, {
          instances: opts.chainInstances,
          length: opts.chainLength,
          parallel: opts.chainParallel,
        }),
    );
  }
  if (opts.phases.has('wide')) {
    const gone = procs.exitReason();
    if (gone !== undefined) {
      res.outcomes.push({ name: 'wide', status: 'skipped', reason: gone });
      return;
    }
    const groupJoins = wideDag(opts.wideWidth).tasks.length - opts.wideWidth - 2;
    res.wide = await workloadPhase(
      `3. Wide fan-out: ${opts.wideInstances} instances of root → ${opts.wideWidth} no-op children → ` +
        `${groupJoins > 0 ? `${groupJoins} group joins (at most 64 dependencies a task) → ` : ''}` +
        'join, created at once',
      'wide',
      res,
      () => runWide(ctx, { instances: opts.wideInstances, width: opts.wideWidth }),
    );
    if (res.wide && opts.wideInstances * opts.wideWidth > opts.workerConcurrency) {
      console.log(
        `(the worker runs at most ${opts.workerConcurrency} tasks at once: children wait for a ` +
          'slot, and "scheduled → running" includes that wait)',
      );
    }
  }
}

async function main(opts: BenchOptions): Promise<number> {
  const res: BenchResults = {
    fsync: opts.fsync,
    cores: availableParallelism(),
    raw1: undefined,
    rawN: undefined,
    chain: undefined,
    wide: undefined,
    outcomes: [],
  };
  heading('Control plane');
  cp = await startControlPlane({ fsync: opts.fsync, log });
  await installCrds(cp.binDir, cp.kubeconfigPath);
  console.log(
    `${cp.server}: etcd fsync ${cp.fsync ? 'ON' : 'off (--unsafe-no-fsync)'}, ready in ` +
      `${(cp.startMs / 1000).toFixed(1)} s; ${res.cores} cores`,
  );
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);

  if (opts.phases.has('raw')) await rawPhase(kc, opts, res);
  try {
    await fastflowPhases(kc, opts, res);
  } catch (e) {
    // Outside any phase's own handling (namespace, watch): the rest cannot run.
    console.log(`FAILED: ${errorText(e)}`);
    for (const p of ['chain', 'wide'] as const) {
      if (opts.phases.has(p) && !res.outcomes.some((o) => o.name === p)) {
        res.outcomes.push({ name: p, status: 'failed', reason: errorText(e) });
      }
    }
  }
  printSummary(res);
  return res.outcomes.every((o) => o.status === 'ok') ? 0 : 1;
}

let code = 1;
try {
  let opts: ReturnType<typeof parseOptions>;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    console.log(`${errorText(e)}\n${usage()}`);
    process.exit(2);
  }
  if (opts === 'help') {
    console.log(usage());
    process.exit(0);
  }
  const t0 = performance.now();
  try {
    code = await main(opts);
  } catch (e) {
    console.log(`\nbench FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    if (procs) console.log(procs.tails());
  }
  await cleanup();
  if (procs) {
    if (code === 0 && !opts.keepLogs) procs.removeLogs();
    else console.log(`operator and worker logs kept in ${procs.logDir}`);
  }
  console.log(`bench took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
} catch (e) {
  console.log(`bench FAILED: ${errorText(e)}`);
  await cleanup();
}
process.exit(code);
