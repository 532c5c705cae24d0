/**
 * The operations on an instance (cancel, retry, continue, skip, rerun,
 * restart, pause, resume) and the signals to its waiting tasks (approve,
 * reject, signal): an annotation the operator acts on, then, by default, a
 * wait for its record.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_OPERATION_VALUE, type OperationRecord } from '../../operator/api/dag-instance.ts';
import { isPending } from '../../operator/core/operations.ts';
import {
  OPERATION_ANNOTATIONS,
  SIGNAL_ANNOTATION,
  SIGNAL_BY_ANNOTATION,
  type OperationName,
} from '../../operator/api/names.ts';
import type { SignalVerb } from '../../operator/api/waits.ts';
import type { DagInstance } from '../../operator/api/objects.ts';
import type { KubeClients } from '../../operator/kube/client.ts';
import { isConflict, isNotFound, kubeCall } from '../../operator/kube/errors.ts';
import { mergePatchOptions } from '../../operator/kube/patch.ts';
import type { Logger } from '../../operator/log.ts';
import { instanceResource } from '../../operator/api/names.ts';
import { checkTasks, checkVars, FastflowClientError, notFound, refText } from './errors.ts';
import type { InstanceKey } from './instances.ts';
import { watchInstance } from './wait.ts';

export type OperationOptions = {
  /** Wait until the operator has acted (default true, like fastflow's CommSync). */
  wait?: boolean;
  /** Default: the client's `operationTimeoutMs`. */
  timeoutMs?: number;
  signal?: AbortSignal;
};

/** What an operation needs of the client. */
export type OperationContext = {
  clients: KubeClients;
  log: Logger;
  operationTimeoutMs: number;
  get: (ref: InstanceKey) => Promise<DagInstance>;
};

/** What a call that asks the operator for something resolves with: the record, or the value set (`wait: false`). */
export type Sent<O extends OperationOptions> = O extends { wait: false } ? string : OperationRecord;

const POLL_MS = 150;

export async function operate(
  ctx: OperationContext,
  name: OperationName,
  ref: InstanceKey,
  tasks: string[] | undefined,
  opts: OperationOptions,
  vars?: Record<string, string>,
): Promise<OperationRecord | string> {
  const list = checkTasks(name, tasks);
  const key = OPERATION_ANNOTATIONS[name];
  const query =
    vars && Object.keys(checkVars(name, vars)).length > 0
      ? `?${new URLSearchParams(vars).toString()}`
      : '';
  const value = `${operationToken()}${list.length > 0 ? `:${list.join(',')}` : ''}${query}`;
  if (value.length > MAX_OPERATION_VALUE) {
    throw new FastflowClientError(
      'Invalid',
      `${name}: ${key} would be ${value.length} characters long (a token and ${list.length} ` +
        `task names), more than the ${MAX_OPERATION_VALUE} the operator accepts: ` +
        'name fewer tasks per call, or none for all that apply',
    );
  }
  return request(ctx, name, ref, value, {}, opts);
}

/**
 * Sends a signal to a waiting task (fastflow.io/signal), under the name the
 * API server knows this client by (SelfSubjectReview): admission refuses
 * any other name in fastflow.io/signal-by.
 */
export async function sendSignal<O extends OperationOptions>(
  ctx: OperationContext,
  ref: InstanceKey,
  signal: { verb: SignalVerb; task: string; text?: string },
  opts: O,
): Promise<Sent<O>> {
  const [task] = checkTasks(signal.verb, [signal.task]);
  const text = signal.text ? `:${signal.text}` : '';
  const value = `${operationToken()}:${signal.verb}:${task}${text}`;
  if (value.length > MAX_OPERATION_VALUE) {
    throw new FastflowClientError(
      'Invalid',
      `${signal.verb}: ${SIGNAL_ANNOTATION} would be ${value.length} characters long, more than ` +
        `the ${MAX_OPERATION_VALUE} the operator accepts: send a shorter message or payload`,
    );
  }
  const by = await whoAmI(ctx);
  const sent = await request(ctx, 'signal', ref, value, { [SIGNAL_BY_ANNOTATION]: by }, opts);
  return sent as Sent<O>;
}

async function whoAmI(ctx: OperationContext): Promise<string> {
  const review = await kubeCall(() =>
    ctx.clients.authentication.createSelfSubjectReview({ body: {} }),
  );
  const name = review.status?.userInfo?.username;
  if (name) return name;
  throw new FastflowClientError('Invalid', 'the API server did not say who this client is');
}

const KEYS = { ...OPERATION_ANNOTATIONS, signal: SIGNAL_ANNOTATION } as const;

/** Sets annotation `name` to `value` (with `extra` beside it), then waits for its record. */
async function request(
  ctx: OperationContext,
  name: OperationName | 'signal',
  ref: InstanceKey,
  value: string,
  extra: Record<string, string>,
  opts: OperationOptions,
): Promise<OperationRecord | string> {
  const key = KEYS[name];
  const timeoutMs = opts.timeoutMs ?? ctx.operationTimeoutMs;
  const deadline = Date.now() + timeoutMs;
  await setAnnotation(ctx, ref, name, { [key]: value, ...extra }, deadline, opts.signal);
  if (opts.wait === false) return value;
  const record = await watchInstance(
    ctx.clients,
    ctx.log,
    ref,
    (i) => {
      const r = i.status?.operations?.[name];
      if (r?.value === value) return r;
      const now = i.metadata.annotations?.[key];
      if (now !== value) {
        throw new FastflowClientError(
          'Refused',
          `${name} on ${refText(ref)}: superseded by ${key}=${now ?? '(removed)'} before the operator acted`,
        );
      }
      return undefined;
    },
    {
      timeoutMs: Math.max(0, deadline - Date.now()),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onTimeout: () =>
        `the operator did not act on ${key}=${value} of DagInstance ${refText(ref)} within ` +
        `${timeoutMs} ms: is the fastflow operator running and watching namespace "${ref.namespace}"?`,
    },
  );
  if (record.result === 'Refused') {
    throw new FastflowClientError('Refused', record.message, record);
  }
  return record;
}

/**
 * Sets the operation annotation, conditioned on the resourceVersion read:
 * an operation of the same kind another client set and the operator has not
 * acted on yet is waited for first, never overwritten (fastflow §13.15).
 */
async function setAnnotation(
  ctx: OperationContext,
  ref: InstanceKey,
  name: OperationName | 'signal',
  annotations: Record<string, string>,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const key = KEYS[name];
  for (;;) {
    signal?.throwIfAborted();
    const current = await ctx.get(ref);
    const pending = current.metadata.annotations?.[key];
    if (pending && isPending(pending, current.status?.operations?.[name])) {
      if (Date.now() >= deadline) {
        throw new FastflowClientError(
          'Timeout',
          `${key}=${pending} set by someone else on DagInstance ${refText(ref)} is still ` +
            'waiting for the operator: is the fastflow operator running?',
        );
      }
      await sleep(POLL_MS, undefined, signal ? { signal } : {});
      continue;
    }
    try {
      await kubeCall(() =>
        ctx.clients.custom.patchNamespacedCustomObject(
          {
            ...instanceResource,
            ...ref,
            body: {
              metadata: { resourceVersion: current.metadata.resourceVersion, annotations },
            },
          },
          mergePatchOptions,
        ),
      );
      return;
    } catch (e) {
      if (isNotFound(e)) throw notFound(ref);
      if (!isConflict(e)) throw e;
      // Someone wrote in between: read again (a busy instance changes often).
      if (Date.now() >= deadline) {
        throw new FastflowClientError(
          'Timeout',
          `could not set ${key} on DagInstance ${refText(ref)}: it kept changing (409) until the timeout`,
        );
      }
    }
  }
}

function operationToken(): string {
  return `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}
