/**
 * The API server's raw write rate, measured in the same run as the product's
 * figures: small ConfigMap creates in a scratch namespace through the same
 * pooled keep-alive transport the operator and workers use (`makeClients`).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { makeClients } from '../../operator/kube/client.ts';
import { errorText } from './errors.ts';
import { summarize, type Summary } from './stats.ts';

export type RawWriteResult = {
  inFlight: number;
  /** Successful creates, all rounds. */
  creates: number;
  seconds: number;
  /** The median round's rate. */
  perSecond: number;
  /** writes/s of each round, in order. */
  rounds: number[];
  latencyMs: Summary;
  errors: number;
};

/** Creates before the measurement, not counted. */
const WARMUP = 200;

/**
 * `rounds` rounds of `count` ConfigMap creates with `inFlight` requests
 * outstanding at any time; the rate is the median round's (a shared 2-core
 * machine has noisy seconds).
 */
export async function measureCreates(
  kc: KubeConfig,
  namespace: string,
  opts: { count: number; inFlight: number; rounds: number; label: string },
): Promise<RawWriteResult> {
  const { core } = makeClients(kc, { userAgent: 'fastflow-bench/raw-writes' });
  const create = (name: string): Promise<unknown> =>
    core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name }, data: { k: 'v' } },
    });
  // Warm up: the connection pool (TLS handshakes), the API server's caches, both JITs.
  let warm = 0;
  const warmLane = async (): Promise<void> => {
    for (let i = warm++; i < WARMUP; i = warm++) await create(`warm-${opts.label}-${i}`);
  };
  await Promise.all(Array.from({ length: opts.inFlight }, warmLane));
  const latencies: number[] = [];
  const rounds: number[] = [];
  let errors = 0;
  let firstError: unknown;
  let seconds = 0;
  for (let round = 0; round < Math.max(1, opts.rounds); round++) {
    let next = 0;
    let ok = 0;
    const lane = async (): Promise<void> => {
      for (let i = next++; i < opts.count; i = next++) {
        const t = performance.now();
        try {
          await create(`${opts.label}-${round}-${i}`);
          latencies.push(performance.now() - t);
          ok++;
        } catch (e) {
          errors++;
          firstError ??= e;
        }
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: opts.inFlight }, lane));
    const s = (performance.now() - t0) / 1000;
    seconds += s;
    rounds.push(ok / s);
  }
  if (errors > (opts.count * rounds.length) / 10) {
    throw new Error(
      `${errors}/${opts.count * rounds.length} ConfigMap creates failed; first: ${errorText(firstError)}`,
    );
  }
  const sorted = [...rounds].sort((a, b) => a - b);
  return {
    inFlight: opts.inFlight,
    creates: latencies.length,
    seconds,
    perSecond: sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN,
    rounds,
    latencyMs: summarize(latencies),
    errors,
  };
}
