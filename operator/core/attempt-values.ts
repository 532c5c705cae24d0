import type { AttemptDataKey } from '../api/attempt-data.ts';
import type { TaskStatus } from '../api/dag-instance.ts';
import type { ReferenceAt } from './template-scan.ts';

/** The worker's bounds on an attempt's values, in bytes of JSON. */
export interface ValueBounds {
  /** Up to this, a value stays inline in the result and the task entry. */
  inlineBytes: number;
  /** Up to this, a value is stored in the attempt data object; an output beyond fails the attempt. */
  maxBytes: number;
}

/** Where an attempt's output and recorded params go. */
export interface PlacedValues {
  inline: Pick<TaskStatus, 'output' | 'params'>;
  /** JSON text for the attempt data object, written before the result that names it. */
  stored: Partial<Record<AttemptDataKey, string>>;
}

const encoder = new TextEncoder();

/**
 * Splits an attempt's values by size: small ones inline, larger ones to the
 * attempt data object. Recorded params beyond `maxBytes` are not recorded
 * (they are the Dag's params rendered, not a result); an output beyond it
 * never reaches here (the attempt failed with OutputTooLarge).
 */
export function placeValues(
  values: Partial<Record<AttemptDataKey, unknown>>,
  bounds: ValueBounds,
): PlacedValues {
  const placed: PlacedValues = { inline: {}, stored: {} };
  for (const key of ['output', 'params'] as const) {
    const value = values[key];
    const json = value === undefined ? undefined : JSON.stringify(value);
    if (json === undefined) continue;
    const bytes = encoder.encode(json).length;
    if (bytes <= bounds.inlineBytes) placed.inline[key] = value;
    else if (bytes <= bounds.maxBytes || key === 'output') placed.stored[key] = json;
  }
  return placed;
}

/** The reference fields a result carries for the values stored in data object `name`. */
export function refFields(
  name: string,
  stored: PlacedValues['stored'],
): Pick<TaskStatus, 'outputRef' | 'paramsRef'> {
  return {
    ...(stored.output !== undefined ? { outputRef: name } : {}),
    ...(stored.params !== undefined ? { paramsRef: name } : {}),
  };
}

/**
 * The entries of the tasks a template reads, from status or else from the
 * shards: only those, since copying all of a 250-task status for each
 * attempt made the worker's CPU per task grow with the instance's width.
 */
export function referencedEntries(
  parents: readonly string[],
  status: Readonly<Record<string, TaskStatus>> | undefined,
  sharded: Readonly<Record<string, TaskStatus>>,
): Record<string, TaskStatus> {
  const found: [string, TaskStatus][] = [];
  for (const task of parents) {
    const from = status && Object.hasOwn(status, task) ? status : sharded;
    const entry = Object.hasOwn(from, task) ? from[task] : undefined;
    if (entry !== undefined) found.push([task, entry]);
  }
  return Object.fromEntries(found);
}

/**
 * The upstream outputs a task's templates read: inline ones from the status
 * the worker has, and the data objects to read for the referenced ones (by
 * task). Only outputs a template names are gathered, so a task that reads
 * one output of a 2,000-task instance costs one read at most.
 */
export function outputsToRead(
  refs: readonly ReferenceAt[],
  tasks: Readonly<Record<string, TaskStatus>>,
): { inline: Record<string, unknown>; byRef: Map<string, string> } {
  const inline: Record<string, unknown> = {};
  const byRef = new Map<string, string>();
  for (const { ref } of refs) {
    if (ref.kind !== 'output' || !Object.hasOwn(tasks, ref.task)) continue;
    const entry = tasks[ref.task];
    if (entry?.output !== undefined) inline[ref.task] = entry.output;
    else if (entry?.outputRef !== undefined) byRef.set(ref.task, entry.outputRef);
  }
  return { inline, byRef };
}

/** Outputs above the inline bound, as read from their data objects: by object name (outputRef). */
export type StoredOutputs = ReadonlyMap<string, unknown>;

/** A task's output: inline in its entry, or the stored one its outputRef names (when read). */
export function outputOf(
  entry: Pick<TaskStatus, 'output' | 'outputRef'>,
  stored: StoredOutputs | undefined,
): unknown {
  if (entry.output !== undefined || entry.outputRef === undefined) return entry.output;
  return stored?.get(entry.outputRef);
}
