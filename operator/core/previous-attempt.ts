import type { TaskStatus } from '../api/dag-instance.ts';

// What the attempt before `attempt` says about placing it: read from the
// newest history record, so every later pass decides the same.

/**
 * "worker ... was lost during attempt N" while attempt N + 1 waits for a
 * worker and once it has one: read from the lost attempt's record in the
 * task's history, the newest, until another attempt follows it.
 */
export function lostWorkerNote(from: TaskStatus | undefined, attempt: number): string | undefined {
  const last = from?.history?.at(-1);
  if (last?.reason !== 'WorkerLost' || last.attempt !== attempt - 1) return undefined;
  return `worker ${last.worker} was lost during attempt ${last.attempt}`;
}

/**
 * The worker the next attempt should avoid: the one whose previous attempt
 * never started or stopped beating (it may be wedged).
 */
export function workerToAvoid(from: TaskStatus | undefined, attempt: number): string | undefined {
  const last = from?.history?.at(-1);
  if (last?.attempt !== attempt - 1) return undefined;
  const wedged = last.reason === 'ScheduleToStartTimeout' || last.reason === 'HeartbeatTimeout';
  return wedged ? last.worker : undefined;
}
