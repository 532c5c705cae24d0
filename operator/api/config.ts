import { z } from 'zod';
import {
  INLINE_VALUE_BYTES,
  MAX_INLINE_VALUE_BYTES,
  MAX_OUTPUT_BYTES,
  MAX_OUTPUT_BYTES_LIMIT,
} from './attempt-data.ts';
import { WorkerName } from './worker-lease.ts';

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const Namespace = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name')
  .max(63);
const Seconds = z.coerce.number().positive();

/** Settings shared by every fastflow process. */
const Common = z.object({
  kubeconfig: z.string().min(1).optional(),
  namespace: Namespace.optional().describe('Watch only this namespace (default: all namespaces).'),
  leaseNamespace: Namespace.optional().describe(
    'Where the operator and worker Leases live (default: --namespace, else fastflow-system).',
  ),
  logLevel: LogLevel.default('info'),
  metricsPort: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(9090)
    .describe('Port of the /metrics, /healthz and /readyz HTTP server; 0 disables it.'),
});

/** Action name → the most tasks of it Scheduled or Running at once across the cluster. */
const ActionLimits = z.record(z.string().min(1).max(253), z.int().min(1).max(1_000_000));

/** Action name → at most `starts` task starts in any `perSecs` seconds, across the cluster. */
const ActionRates = z.record(
  z.string().min(1).max(253),
  z.strictObject({
    starts: z.int().min(1).max(1_000_000),
    perSecs: z.number().positive().max(86_400),
  }),
);

/** A flag or environment value holds JSON text: `{"deploy": 2}`. */
function jsonText(value: unknown, ctx: z.core.ParsePayload): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    ctx.issues.push({
      code: 'custom',
      input: value,
      message: 'must be a JSON object keyed by action name, e.g. {"deploy":2}',
    });
    return z.NEVER;
  }
}

export const OperatorConfig = Common.extend({
  identity: z.string().min(1).max(253),
  leaseName: z.string().min(1).max(253).default('fastflow-operator'),
  leaseDurationSecs: Seconds.default(15),
  renewDeadlineSecs: Seconds.default(10),
  retryPeriodSecs: Seconds.default(2),
  concurrency: z.coerce.number().int().min(1).max(64).default(4),
  resyncSecs: Seconds.default(300),
  workerLeaseGcSecs: Seconds.default(600).describe(
    "A dead worker's Lease is deleted once it has been expired this long and holds no task; action schemas no Lease names, once unnamed this long.",
  ),
  revisionGcSecs: Seconds.default(300).describe(
    'A Dag snapshot no instance references is deleted once it is this old and unused this long.',
  ),
  traceAttemptsPerTask: z.coerce
    .number()
    .int()
    .min(1)
    .default(3)
    .describe('Attempt traces kept per task: those of its last attempts.'),
  tracesPerInstance: z.coerce
    .number()
    .int()
    .min(1)
    .default(1000)
    .describe('Attempt traces kept per instance in all: the oldest go first.'),
  chainLookAhead: z.coerce
    .number()
    .int()
    .min(0)
    .max(64)
    .default(16)
    .describe(
      'Chain steps pre-assigned ahead of a task to its worker, which starts each in-process when its parent succeeds; 0: off.',
    ),
  maxObjectBytes: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(1024 * 1024)
    .default(256 * 1024)
    .describe(
      "The bound on an instance's status (JSON bytes): new tasks wait while it is above 75 % of it.",
    ),
  ttlSecondsAfterFinished: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      'Delete a finished instance this long after it finished when neither it nor its Dag sets ttlSecondsAfterFinished; 0: keep.',
    ),
  actionRate: z
    .preprocess(jsonText, ActionRates)
    .default({})
    .describe(
      'Cluster-wide rate limits of actions, as JSON: {"http": {"starts": 10, "perSecs": 60}} starts at most 10 http tasks in any 60 s; the others wait and start as soon as the rate allows.',
    ),
  actionConcurrency: z
    .preprocess(jsonText, ActionLimits)
    .default({})
    .describe(
      'Cluster-wide concurrency limits of actions, as JSON: {"deploy": 2} runs at most 2 deploy tasks at once; the others wait and start as soon as one ends.',
    ),
})
  .refine((c) => c.renewDeadlineSecs < c.leaseDurationSecs, {
    message: 'renewDeadlineSecs must be less than leaseDurationSecs',
    path: ['renewDeadlineSecs'],
  })
  .refine((c) => c.retryPeriodSecs < c.renewDeadlineSecs, {
    message: 'retryPeriodSecs must be less than renewDeadlineSecs',
    path: ['retryPeriodSecs'],
  });
export type OperatorConfig = z.infer<typeof OperatorConfig>;

export const WorkerConfig = Common.extend({
  name: WorkerName.describe(
    "This worker's name: its Lease and its label on the instances it runs.",
  ),
  concurrency: z.coerce.number().int().min(1).max(10000).default(16),
  leaseDurationSecs: Seconds.default(10),
  drainSecs: Seconds.default(30).describe(
    'How long a stopping worker lets its running tasks finish.',
  ),
  inlineValueBytes: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_INLINE_VALUE_BYTES)
    .default(INLINE_VALUE_BYTES)
    .describe(
      'An output or recorded params up to this many bytes of JSON stay in the task entry; larger ones go to the attempt data object.',
    ),
  maxOutputBytes: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_OUTPUT_BYTES_LIMIT)
    .default(MAX_OUTPUT_BYTES)
    .describe('The largest output (bytes of JSON) an action may return; more fails the task.'),
});
export type WorkerConfig = z.infer<typeof WorkerConfig>;

export function leaseNamespaceOf(c: { namespace?: string; leaseNamespace?: string }): string {
  return c.leaseNamespace ?? c.namespace ?? 'fastflow-system';
}
