import type { DagInstanceStatus } from '../api/dag-instance.ts';
import { setCondition } from './conditions.ts';

/** The status of an instance that could not start, with the reason a user reads. */
export function failedToStart(
  status: DagInstanceStatus | undefined,
  reason: string,
  message: string,
  generation: number | undefined,
  now: Date,
): DagInstanceStatus {
  return {
    ...status,
    phase: 'Failed',
    message,
    finishTime: now.toISOString(),
    duration: '0ms',
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: setCondition(
      status?.conditions,
      { type: 'Succeeded', status: 'False', reason, message, observedGeneration: generation },
      now,
    ),
  };
}

/** The first status of a started instance: it runs the given Dag snapshot from now on. */
export function started(
  status: DagInstanceStatus | undefined,
  dagRevision: string,
  now: Date,
): DagInstanceStatus {
  return { ...status, phase: 'Running', dagRevision, startTime: now.toISOString(), tasks: {} };
}
