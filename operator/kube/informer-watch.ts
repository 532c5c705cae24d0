import type { Watch } from '@kubernetes/client-node';
import type { Logger } from '../log.ts';

const BACKOFF_BASE_MS = 200;
// Well below a worker Lease (10 s): after an API server outage the Leases'
// renewals must be seen before anyone's silence is judged (docs/architecture.md).
export const BACKOFF_MAX_MS = 3_000;
// client-node's Watch ends every watch that has been quiet for 30 s; a watch
// that was open at least this long was working and reconnects at once.
const HEALTHY_WATCH_MS = 1_000;

export type WatchQuery = {
  resourceVersion: string | undefined;
  allowWatchBookmarks: true;
  labelSelector: string | undefined;
  fieldSelector: string | undefined;
};

/**
 * Applies one watch event; returns the error that must end the watch (an
 * ERROR event), if any.
 */
export type WatchEventHandler = (type: string, raw: unknown) => Error | undefined;

/** How one watch ended: its error (null when the server closed it), and whether it was healthy. */
export type WatchEnd = { err: unknown; healthy: boolean };

/**
 * Opens one watch of `path` and resolves once it has ended: closed by the
 * server, failed, ended by an ERROR event, or by `end()`. It was healthy when
 * it delivered an event or stayed open a while: the informer then reconnects
 * without backing off.
 */
export function watchOnce(
  watch: Watch,
  path: string,
  query: WatchQuery,
  onEvent: WatchEventHandler,
  log: Logger,
  onConnected: () => void = () => {},
): { ended: Promise<WatchEnd>; end: () => void } {
  const openedAt = performance.now();
  let connected = false;
  let gotEvent = false;
  let end: () => void = () => {};
  const err = new Promise<unknown>((resolve) => {
    let finished = false;
    let controller: AbortController | undefined;
    const finish = (e: unknown): void => {
      if (finished) return;
      finished = true;
      controller?.abort();
      resolve(e);
    };
    end = () => finish(null);
    const handle = (type: string, raw: unknown): void => {
      if (finished) return;
      try {
        const error = onEvent(type, raw);
        if (error) finish(error);
        else gotEvent = true;
      } catch (e) {
        // Watch swallows callback exceptions silently (#856): log them here.
        log.error({ err: e }, 'watch event handling failed');
      }
    };
    // The promise settles once the response headers are in (or on failure,
    // after `done` was called); auth errors reject without calling `done`.
    watch
      .watch(path, query, handle, (e) => finish(e ?? null))
      .then((ac) => {
        controller = ac;
        if (finished) ac.abort();
        else {
          connected = true;
          onConnected();
        }
      }, finish);
  });
  const ended = err.then((e) => ({
    err: e,
    healthy: gotEvent || (connected && performance.now() - openedAt >= HEALTHY_WATCH_MS),
  }));
  return { ended, end };
}

/** Exponential from 200 ms to BACKOFF_MAX_MS, with "equal jitter" so replicas spread out. */
export function backoffMs(failures: number): number {
  const d = Math.min(BACKOFF_BASE_MS * 2 ** (failures - 1), BACKOFF_MAX_MS);
  return d / 2 + Math.random() * (d / 2);
}

/** client-node's own deadline on a watch (a quiet watch is ended, not failed). */
export function isTimeout(e: unknown): boolean {
  return e instanceof Error && e.name === 'TimeoutError';
}
