/**
 * `kubectl fastflow approve|reject INSTANCE TASK [--message TEXT]` and
 * `kubectl fastflow signal INSTANCE TASK [PAYLOAD]`: a signal to a waiting
 * task, sent under the user the kubeconfig authenticates as.
 */
import { TaskId } from '../api/dag.ts';
import type { SignalVerb } from '../api/waits.ts';
import { askOperator } from './operations.ts';
import { checkName, type ClusterFlags } from './connect.ts';
import { UsageError } from './errors.ts';
import type { IO } from './io.ts';

export type SignalFlags = ClusterFlags & { message?: string };

export async function signalCommand(
  verb: SignalVerb,
  name: string,
  task: string,
  payload: string | undefined,
  flags: SignalFlags,
  io: IO,
): Promise<number> {
  checkName('instance name', name);
  if (!TaskId.safeParse(task).success)
    throw new UsageError(`${JSON.stringify(task)}: not a task id`);
  const data = payload === undefined ? undefined : parsePayload(payload);
  return askOperator(verb, name, flags, io, (client, ref, signal) => {
    const opts: { signal?: AbortSignal } = signal ? { signal } : {};
    if (verb === 'signal') return client.signal(ref, task, data, opts);
    const said = { ...opts, ...(flags.message ? { message: flags.message } : {}) };
    return verb === 'approve' ? client.approve(ref, task, said) : client.reject(ref, task, said);
  });
}

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`the payload must be JSON, e.g. '{"build":"1.2.3"}'; got ${text}`);
  }
}
