import { z } from 'zod';

/**
 * A Go duration as Kubernetes users write one (`metav1.Duration`): `90s`,
 * `1h30m`, `250ms`. Units h, m, s, ms; fractions allowed (`1.5h`).
 */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(h|m|s|ms))+$';
export const WaitDuration = z
  .string()
  .min(2)
  .max(64)
  .regex(new RegExp(DURATION_PATTERN), 'must be a duration such as 90s, 10m or 1h30m');

/** The longest a wait may last (a Dag that means longer waits for a signal). */
export const MAX_WAIT_MS = 366 * 24 * 3600 * 1000;

/**
 * `type: wait` (Conductor's WAIT): the task waits, holding no worker, for a
 * duration from when it became ready, until a time, or (neither given) for a
 * signal. A signal ends any wait early; its payload is the task's output.
 * Both given is a Dag problem (operator/core/control/wait.ts): no CEL rule
 * under tasks, whose count prices it.
 */
export const WaitSpec = z.strictObject({
  duration: WaitDuration.optional().describe(
    'How long to wait from when the task becomes ready (90s, 10m, 1h30m).',
  ),
  until: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('The time to wait until (RFC 3339); a time past ends the wait at once.'),
});
export type WaitSpec = z.infer<typeof WaitSpec>;

/**
 * `type: approval` (Conductor's HUMAN): the task waits, holding no worker,
 * until someone approves it (it succeeds) or rejects it (it fails), with
 * `kubectl fastflow approve|reject` or the fastflow.io/signal annotation.
 */
export const ApprovalSpec = z.strictObject({
  message: z
    .string()
    .max(1024)
    .optional()
    .describe('What the approver is asked, shown while the task waits.'),
});
export type ApprovalSpec = z.infer<typeof ApprovalSpec>;

/** What a signal does: approve or reject an approval task, or end a wait task. */
export const SIGNAL_VERBS = ['approve', 'reject', 'signal'] as const;
export type SignalVerb = (typeof SIGNAL_VERBS)[number];

/** An approval task's output: who decided, when, and what they said. */
export const ApprovalOutput = z.object({
  approved: z.boolean(),
  by: z.string(),
  at: z.string(),
  message: z.string().optional(),
});
export type ApprovalOutput = z.infer<typeof ApprovalOutput>;
