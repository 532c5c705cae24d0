#!/usr/bin/env node
import { Command, Option } from 'commander';
import { OperatorConfig } from '../api/config.ts';
import { startOperator, type RunningOperator } from '../controller/operator.ts';
import { ConfigInputError, loadConfig, uniqueProcessName } from '../config/load.ts';
import { ConfigError, loadKubeConfig, makeClients } from '../kube/client.ts';
import { createLogger } from '../log.ts';
import { ListenError, serveObservability } from '../observability/http-server.ts';
import { KubeRequestMetrics, createRegistry } from '../observability/metrics.ts';
import { runWorker } from '../../actions-runtime/worker/run-worker.ts';
import { loadActionModules } from './action-modules.ts';
import { MIGRATE_SOURCES, runMigrate, type MigrateOptions } from './migrate.ts';
import { processIO, readStdin } from '../plugin/io.ts';
import { runPlugin } from '../plugin/program.ts';

/** Flags every command shares; each also reads FASTFLOW_<NAME> from the environment. */
function common(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, else in-cluster)')
    .option('--namespace <ns>', 'watch only this namespace (default: all)')
    .option(
      '--lease-namespace <ns>',
      'namespace of the Leases (default: --namespace, else fastflow-system)',
    )
    .addOption(
      new Option('--log-level <level>', 'log level').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .option(
      '--metrics-port <port>',
      'port of /metrics, /healthz and /readyz (default 9090; 0: off)',
    );
}

const program = new Command('fastflow')
  .description('fastflow: a Kubernetes-native DAG workflow engine')
  .showHelpAfterError();

common(program.command('operator'))
  .description('run the operator (several replicas elect one leader)')
  .option('--identity <id>', 'this replica in leader election (default: hostname + random)')
  .option('--lease-name <name>', 'leader election Lease')
  .option('--lease-duration-secs <s>', 'leader Lease duration')
  .option('--renew-deadline-secs <s>', 'a leader that cannot renew within this stops')
  .option('--retry-period-secs <s>', 'how often to try to acquire or renew')
  .option('--concurrency <n>', 'instances reconciled at once')
  .option('--resync-secs <s>', 'periodic re-reconcile of every running instance')
  .option(
    '--worker-lease-gc-secs <s>',
    "delete a dead worker's Lease after it has been expired this long, and action schemas no Lease has named as long",
  )
  .option(
    '--revision-gc-secs <s>',
    'delete a Dag snapshot no instance references once it is this old and unused this long',
  )
  .option(
    '--chain-look-ahead <n>',
    'chain steps pre-assigned ahead of a running task to its worker (0: off)',
  )
  .option('--trace-attempts-per-task <n>', 'attempt traces kept per task (its last attempts)')
  .option('--traces-per-instance <n>', 'attempt traces kept per instance (the oldest go first)')
  .option(
    '--max-object-bytes <n>',
    "bound on an instance's status; new tasks wait while it is above 75 % of it (default 262144)",
  )
  .option(
    '--action-concurrency <json>',
    'cluster-wide concurrency limits of actions, e.g. \'{"deploy":2}\' (the others wait for a slot)',
  )
  .option(
    '--action-rate <json>',
    'cluster-wide rate limits of actions, e.g. \'{"http":{"starts":10,"perSecs":60}}\'',
  )
  .option(
    '--ttl-seconds-after-finished <s>',
    'delete finished instances this long after they finished unless they or their Dag say otherwise (0: keep)',
  )
  .action(async (flags: Record<string, unknown>) => {
    const config = loadConfig(OperatorConfig, {
      ...flags,
      identity: flags['identity'] ?? process.env['FASTFLOW_IDENTITY'] ?? uniqueProcessName(),
    });
    const log = createLogger(config.logLevel, { identity: config.identity });
    const metrics = createRegistry();
    const clients = makeClients(loadKubeConfig({ kubeconfig: config.kubeconfig }), {
      userAgent: `fastflow-operator/${config.identity}`,
      onResponse: new KubeRequestMetrics(metrics).onResponse,
    });
    // Probes answer from before the operator starts; a port that cannot be bound stops it first.
    const started: { operator?: RunningOperator } = {};
    if (config.metricsPort > 0) {
      await serveObservability({
        port: config.metricsPort,
        registry: metrics,
        notReady: () => started.operator?.notReady() ?? ['starting'],
        log: log.child({ component: 'observability' }),
      });
    }
    const operator = startOperator(config, clients, log, { metrics });
    started.operator = operator;
    log.info({ namespace: config.namespace ?? '(all)' }, 'operator started');
    const stop = (): void => void operator.stop();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    const why = await operator.done;
    process.exit(why === 'stopped' ? 0 : 1);
  });

common(program.command('worker'))
  .description('run a worker with the built-in actions and those of --actions modules')
  .option(
    '--name <prefix>',
    'worker name prefix; a random suffix makes each process unique (default: hostname)',
  )
  .option('--concurrency <n>', 'tasks run at once')
  .option(
    '--lease-duration-secs <s>',
    'heartbeat Lease duration: a worker silent this long is dead',
  )
  .option('--drain-secs <s>', 'on SIGTERM, how long running tasks may finish')
  .option(
    '--inline-value-bytes <n>',
    'outputs and recorded params up to this many bytes of JSON stay in the task entry (default 1024)',
  )
  .option('--max-output-bytes <n>', 'the largest output an action may return (default 8192)')
  .option('--actions <module...>', 'modules whose exported actions to register')
  .action(async (flags: Record<string, unknown>) => {
    const { actions: modules, ...config } = flags;
    const actions = await loadActionModules((modules as string[] | undefined) ?? []);
    await runWorker({ actions, config });
  });

program
  .command('migrate')
  .description(
    'convert a folder of fastflow Dag YAML files (or, --from conductor, Conductor workflow JSON files) into Dag manifests (stdout), or --apply them',
  )
  .argument(
    '<paths...>',
    'fastflow: one folder, read like ReadDagFromDir (every .yaml/.yml file, one Dag each); conductor: JSON files or folders of them',
  )
  .addOption(
    new Option('--from <source>', 'what the files are')
      .choices(MIGRATE_SOURCES)
      .default('fastflow'),
  )
  .option('--namespace <ns>', "namespace of the Dags (with --apply default: the context's)")
  .option('--apply', 'create or update the Dags in the cluster (server-side apply)')
  .option('--out <file>', 'write the manifests to this file instead of stdout')
  .option(
    '--kubeconfig <path>',
    'kubeconfig file for --apply (default: $KUBECONFIG, else in-cluster)',
  )
  .action(async (paths: string[], flags: MigrateOptions) => {
    process.exitCode = await runMigrate(paths, flags);
  });

// One implementation: the plugin's, whose flags and help it takes as they are.
program
  .command('simulate')
  .description(
    "run a Dag file on the operator's decisions with simulated actions, no cluster (kubectl fastflow simulate --help)",
  )
  .helpOption(false)
  .allowUnknownOption()
  .argument('[args...]')
  .action(async (args: string[]) => {
    process.exitCode = await runPlugin(['simulate', ...args], processIO(), readStdin);
  });

program
  .command('ui')
  .description(
    'serve the web view (the chart runs it in the cluster; same flags as kubectl fastflow ui)',
  )
  .helpOption(false)
  .allowUnknownOption()
  .allowExcessArguments()
  .argument('[flags...]', 'the flags of `kubectl fastflow ui` (--help lists them)')
  .action(async (args: string[]) => {
    // The plugin's own command: one parser, one server; SIGTERM (a pod stopping) ends it cleanly.
    const stop = new AbortController();
    process.once('SIGTERM', () => stop.abort());
    process.once('SIGINT', () => stop.abort());
    process.exitCode = await runPlugin(['ui', ...args], processIO(stop.signal));
  });

try {
  await program.parseAsync();
} catch (e) {
  if (e instanceof ConfigInputError || e instanceof ConfigError || e instanceof ListenError) {
    process.stderr.write(`fastflow: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
