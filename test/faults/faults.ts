/**
 * `npm run faults`: fastflow under faults on the local control plane (etcd +
 * kube-apiserver on loopback, with an audit log of writes). Each scenario
 * starts two operators and several SDK example workers in a namespace of its
 * own, puts load on them, hits them with its faults and prints figures:
 * instances, lost, stuck, extra attempts, time to recover. `--json FILE`
 * writes them as one object. Exit code 1 when a scenario failed (an instance
 * lost, stuck or failed, or a check of the scenario did not hold), 2 on bad
 * flags. Everything started is stopped at the end, on error and on SIGINT.
 */
import { rmSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { commandLog, optionsOrExit } from '../bench/errors.ts';
import { heading } from '../bench/report.ts';
import { startControlPlane, type ControlPlane } from '../local-cluster/control-plane.ts';
import { installCrds } from '../local-cluster/kubectl.ts';
import { parseOptions, usage, type FaultOptions, type ScenarioId } from './options.ts';
import { runR1 } from './r1-leader-kill.ts';
import { runR2 } from './r2-worker-faults.ts';
import { runR3 } from './r3-leader-stop.ts';
import { runR4 } from './r4-control-plane-restart.ts';
import { runR5 } from './r5-slow-apiserver.ts';
import { runR6 } from './r6-bad-inputs.ts';
import { runR7 } from './r7-soak.ts';
import { printScenario, printSummary, writeJson } from './report.ts';
import { passed, type ScenarioResult } from './result.ts';
import { current } from './scenario.ts';
import type { RunEnv } from './system.ts';

const log = commandLog('faults');

const RUNNERS: Partial<
  Record<ScenarioId, (env: RunEnv, opts: FaultOptions) => Promise<ScenarioResult>>
> = {
  R1: (env) => runR1(env),
  R2: (env) => runR2(env),
  R3: (env) => runR3(env),
  R4: (env) => runR4(env),
  R5: (env) => runR5(env),
  R6: (env, opts) => runR6(env, opts),
  R7: (env, opts) => runR7(env, opts.soakMinutes),
};

let cp: ControlPlane | undefined;

process.on('exit', () => current.sys?.procs.killNow());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    void (async () => {
      await current.sys?.stop();
      await cp?.stop();
      process.exit(130);
    })();
  });
}

async function main(opts: FaultOptions): Promise<ScenarioResult[]> {
  heading('Control plane');
  cp = await startControlPlane({ log, auditLog: true });
  await installCrds(cp.binDir, cp.kubeconfigPath);
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const env: RunEnv = {
    cp,
    kc,
    kubeconfigPath: cp.kubeconfigPath,
    auditLogPath: cp.auditLogPath as string,
    sizes: opts.sizes,
    log,
  };
  console.log(
    `${cp.server}, ready in ${(cp.startMs / 1000).toFixed(1)} s; sizes ${JSON.stringify(opts.sizes)}`,
  );
  const results: ScenarioResult[] = [];
  for (const id of opts.scenarios) {
    const run = RUNNERS[id];
    if (!run) {
      log(`${id}: not written yet`);
      continue;
    }
    const r = await run(env, opts);
    // A passed scenario's logs are not needed; a failed one's are kept and named.
    if (passed(r) && !opts.keepLogs && r.logs !== undefined) {
      rmSync(r.logs, { recursive: true, force: true });
      r.logs = undefined;
    }
    printScenario(r);
    results.push(r);
  }
  return results;
}

let code = 1;
const opts = optionsOrExit(parseOptions, usage);
const t0 = performance.now();
try {
  const results = await main(opts);
  printSummary(results);
  if (opts.json !== undefined) writeJson(opts.json, opts, results);
  code = results.length > 0 && results.every(passed) ? 0 : 1;
} catch (e) {
  console.log(`\nfaults FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
}
await cp?.stop();
console.log(`faults took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
process.exit(code);
