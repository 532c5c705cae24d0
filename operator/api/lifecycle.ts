import { z } from 'zod';

/** Kubernetes' int32 bound, which Job's ttlSecondsAfterFinished has too. */
const MAX_INT32 = 2147483647;

/**
 * How long a finished instance is kept, as Kubernetes Job's field of the same
 * name: it is deleted this many seconds after it finished (0: at once).
 */
export const TtlSecondsAfterFinished = z
  .int()
  .min(0)
  .max(MAX_INT32)
  .describe('Delete the instance this many seconds after it finished (0: as soon as it finishes).');

const HistoryLimit = z.int().min(0).max(MAX_INT32);

/**
 * What a Dag says about the lifetime of its finished instances; the names are
 * those of a CronJob's (successfulJobsHistoryLimit, failedJobsHistoryLimit)
 * and a Job's (ttlSecondsAfterFinished). Unset: kept.
 */
export const DagLifecycle = z.object({
  ttlSecondsAfterFinished: TtlSecondsAfterFinished.optional().describe(
    'Default ttlSecondsAfterFinished of the instances of this Dag (an instance may set its own).',
  ),
  successfulInstancesHistoryLimit: HistoryLimit.optional().describe(
    'Succeeded instances of this Dag kept; older ones are deleted first. Unset: all.',
  ),
  failedInstancesHistoryLimit: HistoryLimit.optional().describe(
    'Failed or Canceled instances of this Dag kept; older ones are deleted first. Unset: all.',
  ),
});
export type DagLifecycle = z.infer<typeof DagLifecycle>;
