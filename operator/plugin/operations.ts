/**
 * The plugin's operations on an instance (cancel, retry, continue, skip,
 * rerun, restart, pause, resume), and how the plugin asks the operator for
 * one or for a signal: through the SDK client, which sets the annotation
 * and waits for the operator's record.
 */
import { FastflowClientError } from '../../actions-runtime/client/client.ts';
import type { OperationRecord } from '../api/dag-instance.ts';
import { TaskId } from '../api/dag.ts';
import type { OperationName } from '../api/names.ts';
import { open } from './commands.ts';
import { checkName, type ClusterFlags, type Connection } from './connect.ts';
import { PluginError, UsageError } from './errors.ts';
import { rethrowNotFound } from './instance.ts';
import type { IO } from './io.ts';
import { parseVars } from './vars.ts';

export type OperationFlags = ClusterFlags & { var?: string[] };

/** One operation (from the command line or the web view), as the client's call for it. */
export function call(
  client: Connection['client'],
  op: OperationName,
  ref: { namespace: string; name: string },
  tasks: readonly string[],
  vars: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<OperationRecord> {
  const opts = signal ? { signal } : {};
  const list = tasks.length > 0 ? [...tasks] : undefined;
  switch (op) {
    case 'cancel':
    case 'retry':
    case 'continue':
      return client[op](ref, list, opts);
    case 'skip':
      return client.skip(ref, [...tasks], opts);
    case 'rerun':
      return client.rerun(ref, tasks[0] ?? '', { ...opts, vars });
    case 'restart':
    case 'pause':
    case 'resume':
      return client[op](ref, opts);
  }
}

export async function operationCommand(
  op: OperationName,
  name: string,
  tasks: readonly string[],
  flags: OperationFlags,
  io: IO,
): Promise<number> {
  checkName('instance name', name);
  const bad = tasks.filter((t) => !TaskId.safeParse(t).success);
  if (bad.length > 0) {
    throw new UsageError(`${bad.map((t) => JSON.stringify(t)).join(', ')}: not a task id`);
  }
  const vars = parseVars(flags.var ?? []);
  return askOperator(op, name, flags, io, (client, ref, signal) =>
    call(client, op, ref, tasks, vars, signal),
  );
}

/**
 * Asks the operator for `op` on instance `name` through `send` (an
 * operation, or a signal: signal.ts) and says what it did, or why it refused.
 */
export async function askOperator(
  op: string,
  name: string,
  flags: ClusterFlags,
  io: IO,
  send: (
    client: Connection['client'],
    ref: { namespace: string; name: string },
    signal: AbortSignal | undefined,
  ) => Promise<OperationRecord>,
): Promise<number> {
  const conn = open(flags, io);
  const ref = { namespace: conn.namespace, name };
  let message: string;
  try {
    message = (await send(conn.client, ref, io.signal)).message;
  } catch (e) {
    if (io.signal?.aborted) {
      throw new PluginError(
        `stopped waiting for the operator: the ${op} request on daginstance/${name} stands ` +
          `(kubectl fastflow get ${name} -n ${conn.namespace} shows the outcome)`,
        130,
      );
    }
    if (e instanceof FastflowClientError && e.reason === 'Refused') {
      const text = stripPrefix(e.record?.message ?? e.message, op);
      throw new PluginError(`daginstance/${name}: ${op} refused by the operator: ${text}`);
    }
    rethrowNotFound(e, name, conn.namespace);
  }
  io.out(`daginstance/${name}: ${op} applied: ${stripPrefix(message, op)}\n`);
  return 0;
}

/** The operator's messages start with the operation's name: `cancel: a, b`. */
function stripPrefix(message: string, op: string): string {
  return message.startsWith(`${op}: `) ? message.slice(op.length + 2) : message;
}
