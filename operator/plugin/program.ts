/**
 * `kubectl fastflow`: the kubectl plugin of fastflow (kubectl runs
 * `kubectl-fastflow` from PATH). Runs Dags and follows them, shows instances,
 * their DAG and their traces, cancels / retries / continues them, and lints
 * Dag files offline. Exit codes: 0 ok, 1 failure (or an instance that did not
 * succeed), 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import type { OperationName } from '../api/names.ts';
import {
  getCommand,
  lintCommand,
  logsCommand,
  operationCommand,
  runCommand,
  treeCommand,
  type RunFlags,
} from './commands.ts';
import type { ClusterFlags } from './connect.ts';
import { describeError } from './errors.ts';
import { signalCommand, type SignalFlags } from './signal.ts';
import type { IO } from './io.ts';
import { collect } from './vars.ts';

function clusterFlags(cmd: Command): Command {
  return cmd
    .option('-n, --namespace <ns>', "namespace (default: the kubeconfig context's, else default)")
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current context)');
}

const OPERATIONS: Record<OperationName, string> = {
  cancel: 'cancel the unfinished tasks (all of them, or those named); waits for the operator',
  retry:
    'retry the failed and canceled tasks (all of them, or those named); waits for the operator',
  continue:
    'continue the tasks blocked by a preCheck (all, or those named); waits for the operator',
};

/** Builds the command line; `run` receives each command's exit code. */
function buildProgram(
  io: IO,
  done: (code: number) => void,
  stdin?: () => Promise<string>,
): Command {
  const program = new Command('kubectl fastflow')
    .description('fastflow DAG workflows: run, watch, inspect and steer DagInstances; lint Dags')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(add --help for usage)')
    .helpCommand(true);

  clusterFlags(program.command('run'))
    .description('start an instance of a Dag (with --watch: follow it until it finishes)')
    .argument('<dag>', 'the Dag to run')
    .option('--var <key=value>', 'a var of the instance (repeatable)', collect)
    .option('--name <name>', 'name of the instance (default: <dag>-<random>)')
    .option('-w, --watch', 'show progress until it finishes; exit 0 only if it succeeded')
    .action(async (dag: string, flags: RunFlags) => done(await runCommand(dag, flags, io)));

  clusterFlags(program.command('get'))
    .description('list the instances of a namespace, or show one with its tasks')
    .argument('[instance]', 'the instance to show')
    .action(async (name: string | undefined, flags: ClusterFlags) =>
      done(await getCommand(name, flags, io)),
    );

  clusterFlags(program.command('tree'))
    .description("draw an instance's DAG with each task's state and duration")
    .argument('<instance>')
    .action(async (name: string, flags: ClusterFlags) => done(await treeCommand(name, flags, io)));

  clusterFlags(program.command('logs'))
    .description("print the traces of an instance's tasks, by task and attempt")
    .argument('<instance>')
    .argument('[task]', 'only this task')
    .action(async (name: string, task: string | undefined, flags: ClusterFlags) =>
      done(await logsCommand(name, task, flags, io)),
    );

  for (const [op, description] of Object.entries(OPERATIONS) as [OperationName, string][]) {
    clusterFlags(program.command(op))
      .description(description)
      .argument('<instance>')
      .argument('[task...]', 'only these tasks')
      .action(async (name: string, tasks: string[], flags: ClusterFlags) =>
        done(await operationCommand(op, name, tasks, flags, io)),
      );
  }

  for (const verb of ['approve', 'reject'] as const) {
    clusterFlags(program.command(verb))
      .description(
        `${verb} a waiting approval task, as the kubeconfig's user; waits for the operator`,
      )
      .argument('<instance>')
      .argument('<task>')
      .option('-m, --message <text>', 'what you say with it (kept in the output)')
      .action(async (name: string, task: string, flags: SignalFlags) =>
        done(await signalCommand(verb, name, task, undefined, flags, io)),
      );
  }
  clusterFlags(program.command('signal'))
    .description('end a waiting wait task; the payload (JSON) becomes its output')
    .argument('<instance>')
    .argument('<task>')
    .argument('[payload]', 'JSON, e.g. \'{"build":"1.2.3"}\'')
    .action(async (name: string, task: string, payload: string | undefined, flags: SignalFlags) =>
      done(await signalCommand('signal', name, task, payload, flags, io)),
    );

  program
    .command('lint')
    .description('check a Dag file offline, with the rules of admission and of the operator')
    .argument('<file>', 'a Dag manifest or a fastflow Dag YAML file ("-": stdin)')
    .action(async (file: string) => done(await lintCommand(file, io, stdin)));

  return program;
}

/** Runs the plugin with `args` (without node and the script); resolves with the exit code. */
export async function runPlugin(
  args: readonly string[],
  io: IO,
  stdin?: () => Promise<string>,
): Promise<number> {
  let code = 0;
  let server: string | undefined;
  const session: IO = { ...io, connected: (s) => (server = s) };
  const program = buildProgram(session, (c) => (code = c), stdin);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander printed the message (or the help) already.
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    }
    const { message, exitCode } = describeError(e, server);
    // Ctrl-C is not an error: say what happened and what keeps going.
    const prefix = exitCode === 130 ? '' : `${io.errPaint('red', 'error:')} `;
    io.err(`${prefix}${message}\n`);
    return exitCode;
  }
}
