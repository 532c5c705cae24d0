import { setTimeout as sleep } from 'node:timers/promises';
import type { AttemptFailureReason } from '../../operator/api/task-reason.ts';
import {
  outputsToRead,
  placeValues,
  refFields,
  type ValueBounds,
} from '../../operator/core/attempt-values.ts';
import type { AttemptReport } from '../../operator/core/task-report.ts';
import type { ReferenceAt } from '../../operator/core/templates.ts';
import type { TaskStatus } from '../../operator/api/dag-instance.ts';
import { KubeApiError } from '../../operator/kube/errors.ts';
import type { Logger } from '../../operator/log.ts';
import type { AttemptDataStore } from '../../operator/store/attempt-data.ts';
import { instanceOwner } from './attempt-context.ts';
import type { LocalAttempt } from './local-attempts.ts';
import type { AttemptOutcome } from './run-attempt.ts';

export interface ValuesDeps {
  data: AttemptDataStore;
  bounds: ValueBounds;
  log: Logger;
}

const [RETRY_MIN_MS, RETRY_MAX_MS] = [100, 5000];

/**
 * The event and fields of an attempt's final report. Its output and
 * recorded params stay inline up to the inline bound; larger ones are first
 * written to the attempt's data object, which the report then names, so a
 * reader that sees the name always finds the object. A data object the API
 * server refuses fails the attempt (ResultRefused) rather than losing the
 * output; other errors are retried until the attempt is aborted.
 */
export async function finalReport(
  a: LocalAttempt,
  uid: string,
  outcome: AttemptOutcome,
  params: unknown,
  deps: ValuesDeps,
): Promise<{ outcome: AttemptOutcome; set: AttemptReport['set'] }> {
  const succeeded = outcome.event === 'AttemptSucceeded';
  const placed = placeValues(
    succeeded ? { output: outcome.output, params } : { params },
    deps.bounds,
  );
  let refs = {};
  if (Object.keys(placed.stored).length > 0) {
    const stored = await store(a, uid, placed.stored, deps);
    const finishedAt = new Date().toISOString();
    if (!stored.ok) {
      const { reason, message } = stored;
      return {
        outcome: { event: 'AttemptFailed', reason, message },
        set: { finishedAt, reason, message },
      };
    }
    refs = refFields(stored.name, placed.stored);
  }
  const finishedAt = new Date().toISOString();
  const values = { ...placed.inline, ...refs };
  if (outcome.event === 'AttemptSucceeded') return { outcome, set: { finishedAt, ...values } };
  const { reason, message } = outcome;
  return { outcome, set: { finishedAt, reason, message, ...values } };
}

type Stored =
  { ok: true; name: string } | { ok: false; reason: AttemptFailureReason; message: string };

async function store(
  a: LocalAttempt,
  uid: string,
  stored: Parameters<AttemptDataStore['create']>[2],
  deps: ValuesDeps,
): Promise<Stored> {
  const ref = {
    instance: { namespace: a.namespace, name: a.instance },
    task: a.task,
    attempt: a.attempt,
  };
  for (let delay = RETRY_MIN_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
    try {
      return { ok: true, name: await deps.data.create(ref, instanceOwner(a, uid), stored) };
    } catch (e) {
      if (e instanceof KubeApiError && (e.code === 422 || e.code === 413)) {
        const message = `the API server refused to store the attempt's output: ${e.message}`;
        return { ok: false, reason: 'ResultRefused', message };
      }
      if (a.abort.signal.aborted) {
        const message = `aborted while storing the attempt's output (${String(e)})`;
        return { ok: false, reason: 'Aborted', message };
      }
      deps.log.warn(
        { instance: `${a.namespace}/${a.instance}`, task: a.task, err: String(e) },
        'attempt data not written; retrying',
      );
      await sleep(delay, undefined, { signal: a.abort.signal }).catch(() => undefined);
    }
  }
}

/**
 * The outputs of upstream tasks that `refs` read, from their entries
 * (`tasks`: the status the worker has): inline ones as they are, referenced
 * ones with one read each (cached by the store).
 */
export async function upstreamOutputs(
  a: LocalAttempt,
  uid: string,
  tasks: Readonly<Record<string, TaskStatus>>,
  refs: readonly ReferenceAt[],
  data: AttemptDataStore,
): Promise<Record<string, unknown>> {
  const { inline, byRef } = outputsToRead(refs, tasks);
  const read = await Promise.all(
    [...byRef].map(async ([task, name]) => {
      const values = await data.read(a.namespace, name, uid);
      return [task, values.output] as const;
    }),
  );
  for (const [task, output] of read) if (output !== undefined) inline[task] = output;
  return inline;
}
