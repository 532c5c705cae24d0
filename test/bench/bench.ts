/**
 * `npm run bench`: fastflow on a local control plane (etcd + kube-apiserver
 * on loopback), an operator and workers as OS processes. Prints figures;
 * asserts nothing about timings. Phases:
 *   1. raw API-server write rate (ConfigMap creates, 1 and N in flight);
 *   2. a chain at low load: hop latency, create → first task running;
 *   3. a wide fan-out: tasks/s, compared with the raw write rate;
 *   4. large instances: a 2,000-task chain and fan-out, 500 outputs of 8 KiB;
 *   5. 10,000 live instances: memory, start latency, leader failover;
 *   6. control flow: an approval given → the next task running;
 *   7. what grows at run time: a 5,000-item fan-out (largest object meanwhile), a 1,000-iteration loop;
 * and for 2 and 3 the API writes per task from the API server's metrics.
 * `--json FILE` writes the figures the targets of docs/architecture.md name.
 * A phase that cannot finish fails with its reason and the processes' log
 * tails instead of hanging; everything started is stopped at the end, on
 * error and on SIGINT/SIGTERM. Exit code 1 when a phase failed.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../local-cluster/control-plane.ts';
import { installCrds } from '../local-cluster/kubectl.ts';
import { commandLog, errorText, optionsOrExit } from './errors.ts';
import { parseOptions, usage, type BenchOptions } from './options.ts';
import { measureCreates } from './raw-writes.ts';
import { heading, noResults, printRaw, printSummary, type BenchResults } from './report.ts';
import { targetFigures } from './targets.ts';
import { FASTFLOW_PHASES, fastflowPhases, type Started } from './workloads.ts';

const RAW_NAMESPACE = 'bench-raw';

const log = commandLog('bench');

let cp: ControlPlane | undefined;
const started: Started = {};
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    started.watch?.stop();
    await started.procs?.stop();
    await cp?.stop();
  })();
  return cleaning;
}

// Backstop: whatever happens, no operator or worker outlives us (the control
// plane module kills etcd and kube-apiserver on exit itself).
process.on('exit', () => started.procs?.killNow());
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130); // second Ctrl-C: the exit handlers SIGKILL
    interrupted = true;
    log(`${signal}: stopping the operator, the worker and the control plane`);
    void cleanup().finally(() => {
      if (started.procs) log(`operator and worker logs kept in ${started.procs.logDir}`);
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

async function main(opts: BenchOptions): Promise<number> {
  const res = noResults(opts.fsync, availableParallelism());
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
    await fastflowPhases(kc, cp, opts, res, started);
  } catch (e) {
    // Outside any phase's own handling (namespace, watch): the rest cannot run.
    console.log(`FAILED: ${errorText(e)}`);
    for (const p of FASTFLOW_PHASES) {
      if (opts.phases.has(p) && !res.outcomes.some((o) => o.name === p)) {
        res.outcomes.push({ name: p, status: 'failed', reason: errorText(e) });
      }
    }
  }
  printSummary(res);
  if (opts.json !== undefined) {
    writeFileSync(opts.json, `${JSON.stringify(targetFigures(res), null, 2)}\n`);
    console.log(`figures written to ${opts.json}`);
  }
  return res.outcomes.every((o) => o.status === 'ok') ? 0 : 1;
}

let code = 1;
try {
  const opts = optionsOrExit(parseOptions, usage);
  const t0 = performance.now();
  try {
    code = await main(opts);
  } catch (e) {
    console.log(`\nbench FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    if (started.procs) console.log(started.procs.tails());
  }
  await cleanup();
  if (started.procs) {
    if (code === 0 && !opts.keepLogs) started.procs.removeLogs();
    else console.log(`operator and worker logs kept in ${started.procs.logDir}`);
  }
  console.log(`bench took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
} catch (e) {
  console.log(`bench FAILED: ${errorText(e)}`);
  await cleanup();
}
process.exit(code);
