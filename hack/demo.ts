// The demo: a real local control plane (or the cluster of --kubeconfig, e.g.
// kind), the CRDs, two operators, two workers (the example worker program,
// with PrintAction registered through the SDK), the examples applied, and the
// instances' phase and progress shown until all finish. Exits 0 when every
// instance succeeded. The Conductor kitchen-sink (examples/conductor) is
// converted and applied by `fastflow migrate --from conductor`, run against a
// local order API and approved on the way (hack/lib/kitchen-sink.ts).
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startOrConnect } from '../test/local-cluster/control-plane.ts';
import { spawnFastflow, type FastflowProcess } from '../test/local-cluster/fastflow-process.ts';
import { installCrds, runKubectl } from '../test/local-cluster/kubectl.ts';
import { migrateConductor, runKitchenSink, startOrderServer } from './lib/kitchen-sink.ts';

const NAMESPACE = 'fastflow-demo';
const TIMEOUT_MS = 180_000;
const examples = fileURLToPath(new URL('../examples/', import.meta.url));
const say = (msg: string): void => void process.stdout.write(`${msg}\n`);

const { values: flags } = parseArgs({ options: { kubeconfig: { type: 'string' } } });
const cp = await startOrConnect({
  kubeconfig: flags.kubeconfig,
  log: (m) => say(`[control-plane] ${m}`),
});
const children: FastflowProcess[] = [];
const orders = await startOrderServer();
const shutdown = async (code: number): Promise<never> => {
  orders.close();
  for (const c of children) c.kill('SIGTERM');
  await Promise.race([Promise.all(children.map((c) => c.exited)), sleep(5000)]);
  for (const c of children) c.kill('SIGKILL');
  await cp.stop();
  process.exit(code);
};
process.once('SIGINT', () => void shutdown(130));

try {
  const kubectl = (args: string[]): ReturnType<typeof runKubectl> =>
    runKubectl(cp.binDir, cp.kubeconfigPath, args);
  say(`cluster ready; KUBECONFIG=${cp.kubeconfigPath}`);
  await installCrds(cp.binDir, cp.kubeconfigPath);
  await kubectl(['create', 'namespace', NAMESPACE]);

  // Outside the control plane's dir, which stop() removes: the logs outlive the demo.
  const logs = mkdtempSync(join(tmpdir(), 'fastflow-demo-logs-'));
  const opts = (log: string) => ({
    kubeconfig: cp.kubeconfigPath,
    namespace: NAMESPACE,
    logFile: join(logs, log),
  });
  children.push(spawnFastflow(['operator', '--identity', 'operator-1'], opts('operator-1.log')));
  children.push(spawnFastflow(['operator', '--identity', 'operator-2'], opts('operator-2.log')));
  const worker = join(examples, 'print-chain', 'worker.ts');
  children.push(
    spawnFastflow([worker], { ...opts('worker-1.log'), env: { FASTFLOW_NAME: 'worker-1' } }),
  );
  children.push(
    spawnFastflow([worker], { ...opts('worker-2.log'), env: { FASTFLOW_NAME: 'worker-2' } }),
  );
  say(`two operators and two workers started; their logs: ${logs}`);

  // examples/conductor holds Conductor JSON, the input of `fastflow migrate --from conductor`.
  const manifests = readdirSync(examples, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'conductor')
    .flatMap((e) => ['-f', join(examples, e.name)]);
  const applied = await kubectl(['apply', '-n', NAMESPACE, '-R', ...manifests]);
  if (applied.code !== 0) throw new Error(`kubectl apply -f examples/ failed:\n${applied.stderr}`);
  say(applied.stdout.trim());
  await migrateConductor(join(examples, 'conductor'), opts('migrate.log'));
  say('fastflow migrate --from conductor examples/conductor --apply: exit 0');
  const sink = await runKitchenSink(cp.kubeconfigPath, NAMESPACE, orders.url);
  say(`kitchen-sink instance ${sink.name} started (baseUrl ${orders.url})`);

  const watched = await watchUntilDone(kubectl);
  const approved = await sink.approved;
  const sinkPhase = (
    await kubectl(['get', 'dagi', sink.name, '-n', NAMESPACE, '-o', 'jsonpath={.status.phase}'])
  ).stdout.trim();
  say(`\nkitchen-sink ${sink.name}: ${sinkPhase}${approved ? ' (sign_off approved)' : ''}`);
  const ok = watched && approved && sinkPhase === 'Succeeded';
  say('');
  say((await kubectl(['get', 'dag,dagi', '-n', NAMESPACE])).stdout.trim());
  say(ok ? '\nall instances succeeded' : '\nnot every instance succeeded; see the logs above');
  await shutdown(ok ? 0 : 1);
} catch (e) {
  say(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  await shutdown(1);
}

/** Prints each instance's phase and progress whenever they change, until all have finished. */
async function watchUntilDone(
  kubectl: (args: string[]) => ReturnType<typeof runKubectl>,
): Promise<boolean> {
  const deadline = Date.now() + TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    const out = await kubectl([
      'get',
      'dagi',
      '-n',
      NAMESPACE,
      '--no-headers',
      '-o',
      'custom-columns=NAME:.metadata.name,PHASE:.status.phase,PROGRESS:.status.progress',
    ]);
    const rows = out.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+/));
    // A DagInstance the operator has not seen yet has no status: show it as Pending.
    const shown = (v: string | undefined, none: string): string => (v && v !== '<none>' ? v : none);
    const view = rows
      .map(([n, p, g]) => `${n} ${shown(p, 'Pending')} ${shown(g, '-')}`)
      .join(' | ');
    if (view !== last) say(`${new Date().toISOString().slice(11, 23)}  ${view}`);
    last = view;
    const done =
      rows.length > 0 &&
      rows.every(([, p]) => p === 'Succeeded' || p === 'Failed' || p === 'Canceled');
    if (done) return rows.every(([, p]) => p === 'Succeeded');
    await sleep(250);
  }
  say('timed out waiting for the instances');
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
