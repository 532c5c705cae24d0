import { createHash } from 'node:crypto';
import type { V1Lease } from '@kubernetes/client-node';

/** Label on every mutex Lease (value: the hash in its name), to list or clean them up. */
export const MUTEX_LABEL = 'fastflow.io/mutex';
/** Annotation holding the mutex key as given (the Lease name only carries its hash). */
export const MUTEX_KEY_ANNOTATION = 'fastflow.io/mutex-key';
/** Annotation holding how many times the holder identity has locked it (reentrant mode). */
export const MUTEX_HOLDS_ANNOTATION = 'fastflow.io/mutex-holds';

/** The Lease name of a mutex key: `fastflow-mutex-<first 16 hex digits of sha256(key)>`. */
export function mutexLeaseName(key: string): string {
  return `fastflow-mutex-${mutexHash(key)}`;
}

export function mutexHash(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function holdsOf(lease: V1Lease): number {
  const n = Number(lease.metadata?.annotations?.[MUTEX_HOLDS_ANNOTATION] ?? '1');
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** The annotations of a mutex Lease with `holds` holds of `key`, keeping the others `lease` has. */
export function mutexAnnotations(
  key: string,
  holds: number,
  lease?: V1Lease,
): Record<string, string> {
  return {
    ...lease?.metadata?.annotations,
    [MUTEX_KEY_ANNOTATION]: key,
    [MUTEX_HOLDS_ANNOTATION]: String(holds),
  };
}
