/** A mutex misuse or a lock that was lost; API failures are thrown as `KubeApiError`s. */
export class MutexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MutexError';
  }
}

export type LeaseMutexOptions = {
  /** Namespace of the Lease. */
  namespace: string;
  /** What the lock protects; any string. Every party locking the same key shares one Lease. */
  key: string;
  /** Who holds it (a worker name, a pod name...): written as the Lease's holderIdentity. */
  identity: string;
  /**
   * A holder that has not renewed for this long (measured on the waiter's own
   * clock) is presumed dead and the lock is taken over. Default 30 s, as
   * fastflow's LockTTL. Every party of one key should use the same value.
   */
  ttlSecs?: number;
  /** The same identity may lock again while it holds it; the lock is freed after as many unlocks. */
  reentrant?: boolean;
  /** Base pause between attempts while `lock()` waits (jittered ×1–1.5). Default 120 ms. */
  pollIntervalMs?: number;
  /** Called when a held lock is lost: renewals failed for a whole ttl, or it was taken over. */
  onLost?: (error: MutexError) => void;
  /** Monotonic milliseconds, for the take-over rule and the renewal deadline; injectable for tests. */
  now?: () => number;
};
