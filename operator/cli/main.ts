#!/usr/bin/env node
import { Command, Option } from 'commander';
import { OperatorConfig } from '../api/config.ts';
import { startOperator } from '../controller/operator.ts';
import { ConfigInputError, loadConfig, uniqueProcessName } from '../config/load.ts';
import { ConfigError, loadKubeConfig, makeClients } from '../kube/client.ts';
import { createLogger } from '../log.ts';
import { runWorker } from '../../actions-runtime/run-worker.ts';
import { loadActionModules } from './action-modules.ts';

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
  .action(async (flags: Record<string, unknown>) => {
    const config = loadConfig(OperatorConfig, {
      ...flags,
      identity: flags['identity'] ?? process.env['FASTFLOW_IDENTITY'] ?? uniqueProcessName(),
    });
    const log = createLogger(config.logLevel, { identity: config.identity });
    const clients = makeClients(loadKubeConfig({ kubeconfig: config.kubeconfig }), {
      userAgent: `fastflow-operator/${config.identity}`,
    });
    const operator = startOperator(config, clients, log);
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
  .option('--actions <module...>', 'modules whose exported actions to register')
  .action(async (flags: Record<string, unknown>) => {
    const { actions: modules, ...config } = flags;
    const actions = await loadActionModules((modules as string[] | undefined) ?? []);
    await runWorker({ actions, config });
  });

try {
  await program.parseAsync();
} catch (e) {
  if (e instanceof ConfigInputError || e instanceof ConfigError) {
    process.stderr.write(`fastflow: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
