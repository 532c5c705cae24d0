/**
 * The errors of the FastflowClient, in the user's terms, and the checks of
 * its inputs that raise them before anything is written.
 */
import type { OperationRecord } from '../../operator/api/dag-instance.ts';
import { ObjectName } from '../../operator/api/common.ts';
import { TaskId, VarName } from '../../operator/api/dag.ts';
import type { OperationName } from '../../operator/api/names.ts';
import { describeZodError } from '../../operator/api/objects.ts';
import { toKubeError } from '../../operator/kube/errors.ts';

export type ClientErrorReason = 'NotFound' | 'Invalid' | 'Refused' | 'Timeout' | 'Deleted';

/**
 * What went wrong, in the user's terms: `NotFound` (the instance or Dag does
 * not exist), `Invalid` (bad input, nothing was written), `Refused` (the
 * operator refused the operation: `record.message` says why), `Timeout`,
 * `Deleted` (the instance went away while waiting).
 */
export class FastflowClientError extends Error {
  readonly reason: ClientErrorReason;
  readonly record: OperationRecord | undefined;

  constructor(reason: ClientErrorReason, message: string, record?: OperationRecord) {
    super(message);
    this.name = 'FastflowClientError';
    this.reason = reason;
    this.record = record;
  }
}

export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

export function checkName(what: string, value: string): void {
  const r = ObjectName.safeParse(value);
  if (!r.success) {
    throw new FastflowClientError(
      'Invalid',
      `${what} ${JSON.stringify(value)}: ${describeZodError(r.error)}`,
    );
  }
}

export function checkTasks(op: string, tasks: string[] | undefined): string[] {
  const list = tasks ?? [];
  const bad = list.filter((t) => !TaskId.safeParse(t).success);
  if (bad.length > 0) {
    throw new FastflowClientError(
      'Invalid',
      `${op}: ${bad.map((t) => JSON.stringify(t)).join(', ')} is not a task id`,
    );
  }
  return [...new Set(list)];
}

/** A rerun's vars: declared names only, checked again by the operator against the Dag. */
export function checkVars(op: OperationName, vars: Record<string, string>): Record<string, string> {
  const bad = Object.keys(vars).filter((v) => !VarName.safeParse(v).success);
  if (bad.length > 0) {
    throw new FastflowClientError(
      'Invalid',
      `${op}: ${bad.map((v) => JSON.stringify(v)).join(', ')} is not a var name`,
    );
  }
  return vars;
}

export function refText(ref: { namespace: string; name: string }): string {
  return `"${ref.name}" in namespace "${ref.namespace}"`;
}

export function notFound(ref: { namespace: string; name: string }): FastflowClientError {
  return new FastflowClientError('NotFound', `DagInstance ${refText(ref)} not found`);
}

export function errorMessage(e: unknown): string {
  const k = toKubeError(e);
  return k instanceof Error ? k.message : String(k);
}
