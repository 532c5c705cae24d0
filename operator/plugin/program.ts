/**
 * `kubectl fastflow`: the kubectl plugin of fastflow (kubectl runs
 * `kubectl-fastflow` from PATH). Runs Dags and follows them, shows instances,
 * their DAG and their traces, steers them (cancel, retry, continue, skip,
 * rerun, restart, pause, resume), serves the web view (ui), and lints
 * Dag files offline. Exit codes: 0 ok, 1 failure (or an instance that did not
 * succeed), 2 usage error.
 */
import { Command, CommanderError, Option } from 'commander';
import type { OperationName } from '../api/names.ts';
import {
  getCommand,
  lintCommand,
  logsCommand,
  type LintFlags,
  runCommand,
  treeCommand,
  type GetFlags,
  type RunFlags,
} from './commands.ts';
import { operationCommand, type OperationFlags } from './operations.ts';
import type { ClusterFlags } from './connect.ts';
import { describeError } from './errors.ts';
import { signalCommand, type SignalFlags } from './signal.ts';
import {
  scheduleBackfillCommand,
  scheduleListCommand,
  scheduleSuspendCommand,
  scheduleTriggerCommand,
  type BackfillFlags,
} from './schedule.ts';
import { simulateCommand, type SimulateFlags } from './simulate.ts';
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

  const schedule = program
    .command('schedule')
    .description('DagSchedules: list, suspend, resume, trigger a run now, backfill a past window');
  clusterFlags(schedule.command('list'))
    .description('list the DagSchedules of a namespace')
    .action(async (flags: ClusterFlags) => done(await scheduleListCommand(flags, io)));
  for (const [verb, suspend] of [
    ['suspend', true],
    ['resume', false],
  ] as const) {
    clusterFlags(schedule.command(verb))
      .description(
        suspend
          ? 'start no runs until resumed'
          : 'start runs again; those missed while suspended are caught up (catchUp)',
      )
      .argument('<schedule>')
      .action(async (name: string, flags: ClusterFlags) =>
        done(await scheduleSuspendCommand(name, suspend, flags, io)),
      );
  }
  clusterFlags(schedule.command('trigger'))
    .description('start a run of the schedule now, whatever its schedule and policy')
    .argument('<schedule>')
    .action(async (name: string, flags: ClusterFlags) =>
      done(await scheduleTriggerCommand(name, flags, io)),
    );
  clusterFlags(schedule.command('backfill'))
    .description('start the runs due in a past window (runs that exist are left as they are)')
    .argument('<schedule>')
    .requiredOption('--from <time>', 'start of the window, included (RFC 3339 or a date)')
    .requiredOption('--to <time>', 'end of the window, included; not in the future')
    .option('--max <n>', 'refuse a window with more runs than this (default 100, at most 1000)')
    .action(async (name: string, flags: BackfillFlags) =>
      done(await scheduleBackfillCommand(name, flags, io)),
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

  clusterFlags(program.command('lint'))
    .description(
      "check a Dag file offline, with the rules of admission and of the operator (--cluster: and its params against the live workers' action schemas)",
    )
    .argument('<file>', 'a Dag manifest or a fastflow Dag YAML file ("-": stdin)')
    .option(
      '--cluster',
      "check params against the action schemas the cluster's live workers advertise",
    )
    .option(
      '--lease-namespace <ns>',
      "where the worker Leases are (default: -n's, else fastflow-system)",
    )
    .action(async (file: string, flags: LintFlags) =>
      done(await lintCommand(file, flags, io, stdin)),
    );

  program
    .command('simulate')
    .description(
      "run a Dag file on the operator's decisions with simulated actions, no cluster: the order tasks start in, skips, retries, waits, the end",
    )
    .argument('<file>', 'a Dag manifest or a fastflow Dag YAML file ("-": stdin)')
    .option('--var <key=value>', 'a var of the instance (repeatable)', collect)
    .addOption(new Option('--vars <key=value>').argParser(collect).hideHelp())
    .option(
      '--fail <task[:n]>',
      "the task fails every attempt, or its first n; a grown key names one copy or iteration ('fan[2]', 'step#3') (repeatable)",
      collect,
    )
    .option(
      '-o, --output <task=json|format>',
      'what a task returns, e.g. plan=\'{"env":"prod"}\' (a wait: its signal payload); -o json: print JSON (repeatable)',
      collect,
    )
    .option(
      '--reject <task>',
      'reject this approval task (the others are approved; repeatable)',
      collect,
    )
    .option('--dag <name>', 'the Dag to simulate when the file holds several')
    .action(async (file: string, flags: SimulateFlags) =>
      done(await simulateCommand(file, flags, io, stdin)),
    );

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
