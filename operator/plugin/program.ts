/**
 * `kubectl fastflow`: the kubectl plugin of fastflow (kubectl runs
 * `kubectl-fastflow` from PATH). Runs Dags and follows them, shows instances,
 * their DAG and their traces, steers them (cancel, retry, continue, skip,
 * rerun, restart, pause, resume), serves the web view (ui), and lints
 * Dag files offline. Exit codes: 0 ok, 1 failure (or an instance that did not
 * succeed), 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import type { OperationName } from '../api/names.ts';
import {
  getCommand,
  lintCommand,
  logsCommand,
  runCommand,
  treeCommand,
  type GetFlags,
  type RunFlags,
} from './commands.ts';
import { operationCommand, type OperationFlags } from './operations.ts';
import type { ClusterFlags } from './connect.ts';
import { describeError } from './errors.ts';
import { signalCommand, type SignalFlags } from './signal.ts';
import type { IO } from './io.ts';
import { uiCommand, DEFAULT_UI_PORT, type UiFlags } from './ui.ts';
import { collect } from './vars.ts';

function clusterFlags(cmd: Command): Command {
  return cmd
    .option('-n, --namespace <ns>', "namespace (default: the kubeconfig context's, else default)")
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current context)');
}

/** Each operation: its arguments after the instance, and what it does. */
const OPERATIONS: Record<OperationName, { tasks: string; does: string }> = {
  cancel: { tasks: '[task...]', does: 'cancel the unfinished tasks (all of them, or those named)' },
  retry: { tasks: '[task...]', does: 'retry the failed and canceled tasks (all, or those named)' },
  continue: {
    tasks: '[task...]',
    does: 'continue the tasks blocked by a preCheck (all, or those named)',
  },
  skip: { tasks: '<task...>', does: 'skip tasks that have not run; their children run' },
  rerun: { tasks: '<task>', does: 'run a task and every task after it again (--var: new values)' },
  restart: { tasks: '', does: 'run every task again from the start' },
  pause: { tasks: '', does: 'hold the instance: running tasks finish, nothing new starts' },
  resume: { tasks: '', does: 'let a paused instance go on' },
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
    .option(
      '--idempotency-key <key>',
      'start at most once per key: a key used before gives back that instance',
    )
    .option('-w, --watch', 'show progress until it finishes; exit 0 only if it succeeded')
    .action(async (dag: string, flags: RunFlags) => done(await runCommand(dag, flags, io)));

  clusterFlags(program.command('get'))
    .description('list the instances of a namespace, or show one with its tasks')
    .argument('[instance]', 'the instance to show')
    .option('-o, --output <format>', 'json or yaml: whole objects, every task in status.tasks')
    .action(async (name: string | undefined, flags: GetFlags) =>
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

  for (const [op, { tasks, does }] of Object.entries(OPERATIONS) as [
    OperationName,
    (typeof OPERATIONS)[OperationName],
  ][]) {
    const cmd = clusterFlags(program.command(op))
      .description(`${does}; waits for the operator`)
      .argument('<instance>');
    if (tasks !== '') cmd.argument(tasks, tasks.startsWith('[') ? 'only these tasks' : 'the tasks');
    if (op === 'rerun')
      cmd.option('--var <key=value>', 'a new value of a var (repeatable)', collect);
    cmd.action(async (name: string, ...rest: unknown[]) => {
      const named = tasks === '' ? [] : [rest[0]].flat().map(String);
      const flags = (tasks === '' ? rest[0] : rest[1]) as OperationFlags;
      done(await operationCommand(op, name, named, flags, io));
    });
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

  clusterFlags(program.command('ui'))
    .description("serve the web view on this machine, as the kubeconfig's user (Ctrl-C stops it)")
    .option('--address <ip>', 'address to listen on', '127.0.0.1')
    .option('-p, --port <port>', `port to listen on (0: any free one)`, String(DEFAULT_UI_PORT))
    .option('--read-only', 'refuse every operation: only show')
    .option(
      '--allow-host <name>',
      'another host name the page is reached under (repeatable)',
      collect,
    )
    .action(async (flags: UiFlags) => done(await uiCommand(flags, io)));

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
