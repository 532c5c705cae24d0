import { z } from 'zod';

/**
 * What a worker advertises on its heartbeat Lease: the actions it has
 * registered and how many tasks it runs at once. The operator assigns a task
 * only to a live worker that lists its action.
 */
export const WorkerAdvert = z.object({
  actions: z.array(z.string().min(1).max(253)).max(1000),
  capacity: z.int().min(1).max(100000),
  /** The ConfigMap of its actions' schemas (action-schemas.ts), when it published one. */
  schemas: z.string().min(1).max(253).optional(),
});
export type WorkerAdvert = z.infer<typeof WorkerAdvert>;

/**
 * A worker name is the name of its Lease and the name part of a label key
 * (`w.fastflow.io/<name>`): a DNS-1123 label, at most 63 characters.
 */
export const WorkerName = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    'must be at most 63 lowercase letters, digits or "-", starting and ending with a letter or digit',
  );

/**
 * How long an API server outage is borne on both sides: a worker whose
 * renewals get no answer keeps its tasks running this long, and an operator
 * that sees most worker Leases go silent at once waits this long before
 * declaring them dead (docs/architecture.md, "Worker liveness and recovery").
 */
export const API_OUTAGE_TOLERANCE_MS = 120_000;
