/**
 * Sending one bad input of R6 to the cluster and observing what became of
 * it: refused at create, a Dag marked invalid, an instance Failed or waiting,
 * an operation Refused, or run to the end; with the message the user sees.
 */
import { dagResource, instanceResource, OPERATION_ANNOTATIONS } from '../../operator/api/names.ts';
import { mergePatchOptions } from '../../operator/kube/patch.ts';
import { errorText } from '../bench/errors.ts';
import { describeInstance, isTerminal, type InstanceObject } from '../bench/instances.ts';
import type { BadInput } from './bad-input-case.ts';
import { sleep, type FaultSystem } from './system.ts';
import { recordedValue } from '../../operator/core/operations.ts';

export type Outcome =
  | 'refused'
  | 'invalid'
  | 'accepted'
  | 'failed'
  | 'succeeded'
  | 'canceled'
  | 'waiting'
  | 'op-refused'
  | 'op-applied'
  | 'no verdict'
  | 'harness error';

export type Observation = { outcome: Outcome; message: string };

const VERDICT_MS = 30_000;
/** As `kubectl apply` sends by default (--validate=strict): an unknown field is refused, not dropped. */
const STRICT = 'Strict';

/** The Dag's and instance's names of a case (object names: ids are lowercase already). */
export function objectNames(c: BadInput): { dag: string; instance: string } {
  return { dag: c.dag?.name ?? `c-${c.id}`, instance: c.instance?.name ?? `c-${c.id}` };
}

/** Whether what was observed is what the case expects, its message naming the field. */
export function asExpected(c: BadInput, o: Observation): boolean {
  return o.outcome === c.expect && o.message.includes(c.field);
}

/** Any answer of the API server but success (a 1.6 MB object gets 500 "request is too large"). */
const refusedAtCreate = (e: unknown): boolean => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'number' && code >= 400;
};

async function until<T>(
  read: () => Promise<T | undefined>,
  ms = VERDICT_MS,
): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await read().catch(() => undefined);
    if (v !== undefined) return v;
    await sleep(200);
  }
  return undefined;
}

/** The message a user reads for an instance: its condition, its message, failed tasks' messages. */
function instanceMessage(i: InstanceObject): string {
  const cond = i.status?.conditions?.find((c) => c.type === 'Succeeded');
  const tasks = Object.entries(i.status?.tasks ?? {})
    .filter(([, t]) => t.message !== undefined && t.phase !== 'Succeeded')
    .map(([id, t]) => `${id}: ${t.reason ?? ''} ${t.message ?? ''}`.trim());
  return [cond?.message, ...tasks].filter((m) => m !== undefined && m !== '').join('; ');
}

export async function runCase(sys: FaultSystem, c: BadInput): Promise<Observation> {
  const { custom } = sys.api;
  const ns = sys.namespace;
  const names = objectNames(c);
  if (c.dag) {
    try {
      await custom.createNamespacedCustomObject({
        ...dagResource,
        namespace: ns,
        fieldValidation: STRICT,
        body: {
          apiVersion: 'fastflow.io/v1alpha1',
          kind: 'Dag',
          metadata: { name: names.dag },
          spec: c.dag.spec,
        },
      });
    } catch (e) {
      if (refusedAtCreate(e)) return { outcome: 'refused', message: errorText(e) };
      throw e;
    }
    const verdict = await until(async () => {
      const s = await sys.api.getDagStatus(names.dag);
      return s?.valid === undefined ? undefined : s;
    });
    // An instance of an invalid Dag is created all the same: the case is about the instance.
    if (verdict?.valid === false && !c.instance) {
      return { outcome: 'invalid', message: verdict.message ?? '' };
    }
    if (verdict === undefined && c.instance === undefined)
      return { outcome: 'no verdict', message: '' };
  }
  // A Dag case about running (at a limit) goes on with an instance of it.
  if (!c.instance && (c.expect === 'refused' || c.expect === 'invalid')) {
    return { outcome: 'accepted', message: 'the Dag is valid' };
  }
  const spec = { dagRef: { name: names.dag }, ...c.instance?.spec };
  try {
    await custom.createNamespacedCustomObject({
      ...instanceResource,
      namespace: ns,
      fieldValidation: STRICT,
      body: {
        apiVersion: 'fastflow.io/v1alpha1',
        kind: 'DagInstance',
        metadata: { name: names.instance },
        spec,
      },
    });
  } catch (e) {
    if (refusedAtCreate(e)) return { outcome: 'refused', message: errorText(e) };
    throw e;
  }
  const get = (): Promise<InstanceObject> => sys.api.getInstance(names.instance);
  const waiting = (i: InstanceObject): boolean =>
    i.status?.conditions?.some((k) => k.type === 'Succeeded' && k.reason === 'WaitingForWorker') ??
    false;
  if (c.operation) return operate(sys, c, get);
  const settled = await until(async () => {
    const i = await get();
    return isTerminal(i) || waiting(i) ? i : undefined;
  }, 60_000);
  if (!settled)
    return { outcome: 'no verdict', message: describeInstance(await get().catch(() => undefined)) };
  const phase = settled.status?.phase;
  const outcome: Outcome =
    waiting(settled) && !isTerminal(settled)
      ? 'waiting'
      : phase === 'Succeeded'
        ? 'succeeded'
        : phase === 'Canceled'
          ? 'canceled'
          : 'failed';
  return { outcome, message: instanceMessage(settled) };
}

/** Sets the case's operation annotation once the instance runs (or has finished), reads the record. */
async function operate(
  sys: FaultSystem,
  c: BadInput,
  get: () => Promise<InstanceObject>,
): Promise<Observation> {
  const op = c.operation as NonNullable<BadInput['operation']>;
  const ready = await until(async () => {
    const i = await get();
    const phase = i.status?.phase;
    return (op.when === 'finished' ? isTerminal(i) : phase === 'Running') ? i : undefined;
  }, 60_000);
  if (!ready) return { outcome: 'no verdict', message: `never ${op.when}` };
  await sys.api.custom.patchNamespacedCustomObject(
    {
      ...instanceResource,
      namespace: sys.namespace,
      name: objectNames(c).instance,
      body: { metadata: { annotations: { [OPERATION_ANNOTATIONS[op.name]]: op.value } } },
    },
    mergePatchOptions,
  );
  const record = await until(async () => {
    const r = (await get()).status as
      | { operations?: Record<string, { value: string; result: string; message: string }> }
      | undefined;
    const rec = r?.operations?.[op.name];
    // A value too long to record is recorded as its start and its length.
    return rec?.value === recordedValue(op.value) ? rec : undefined;
  });
  if (!record)
    return {
      outcome: 'no verdict',
      message: `no status.operations.${op.name} record of the value: ${describeInstance(await get())}`,
    };
  // A refused operation leaves the instance as it was: it must still finish.
  const end = await until(async () => {
    const i = await get();
    return isTerminal(i) ? i : undefined;
  }, 60_000);
  const message =
    record.message + (end ? '' : `; the instance never finished: ${describeInstance(await get())}`);
  if (!end) return { outcome: 'no verdict', message };
  return { outcome: record.result === 'Refused' ? 'op-refused' : 'op-applied', message };
}
