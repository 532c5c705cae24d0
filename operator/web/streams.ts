/**
 * The Server-Sent Event streams of the web view, fed by the namespace's
 * shared watch (WatchHub): the instance list of a namespace, and the live
 * state of one instance. A burst of changes is sent once (the latest state),
 * and a slow reassembly never runs twice at once for one stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DagInstance } from '../api/objects.ts';
import type { Informer } from '../kube/informer.ts';
import { keyOf } from '../kube/types.ts';
import type { UiBackend } from './backend.ts';
import { instanceRows, instanceState } from './views.ts';
import type { WatchHub } from './watch-hub.ts';

/** Changes within this window are sent as one event. */
const COALESCE_MS = 100;
/** A comment line this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 25_000;

export type Sse = { send: (event: string, data: unknown) => void; closed: Promise<void> };

export function openSse(req: IncomingMessage, res: ServerResponse): Sse {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.write(': open\n\n');
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  const closed = new Promise<void>((resolve) =>
    req.once('close', () => {
      clearInterval(keepalive);
      resolve();
    }),
  );
  return {
    send: (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    closed,
  };
}

/**
 * Runs `send` after changes, at most one at a time: a change during a run
 * schedules exactly one more run after it.
 */
function coalescing(send: () => Promise<void>): () => void {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const run = async (): Promise<void> => {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await send();
    } finally {
      running = false;
      if (again) {
        again = false;
        timer = setTimeout(() => void run(), COALESCE_MS);
      }
    }
  };
  return () => {
    timer ??= setTimeout(() => void run(), COALESCE_MS);
  };
}

/**
 * Subscribes `changed` (told the name of each instance that changed) to the
 * namespace, calls it once at once, and unsubscribes when the stream closes.
 */
async function follow(
  sse: Sse,
  hub: WatchHub,
  namespace: string,
  changed: (informer: Informer<DagInstance>, name: string | undefined) => void,
): Promise<void> {
  const holder: { informer?: Informer<DagInstance> } = {};
  const sub = await hub.subscribe(namespace, (name) => {
    if (holder.informer) changed(holder.informer, name);
  });
  holder.informer = sub.informer;
  changed(sub.informer, undefined);
  await sse.closed;
  sub.unsubscribe();
}

/** Streams the namespace's instance rows: at once, then after each change. */
export async function streamInstances(sse: Sse, hub: WatchHub, namespace: string): Promise<void> {
  const holder: { informer?: Informer<DagInstance> } = {};
  const send = coalescing(() => {
    if (holder.informer) sse.send('instances', instanceRows(holder.informer.list()));
    return Promise.resolve();
  });
  await follow(sse, hub, namespace, (informer) => {
    holder.informer = informer;
    send();
  });
}

/** Streams one instance's live state: at once, then after each change of it. */
export async function streamInstance(
  sse: Sse,
  hub: WatchHub,
  backend: UiBackend,
  namespace: string,
  name: string,
): Promise<void> {
  const key = keyOf({ namespace, name });
  const holder: { informer?: Informer<DagInstance> } = {};
  const send = coalescing(async () => {
    const current = holder.informer?.get(key);
    if (!current) {
      sse.send('gone', { name });
      return;
    }
    try {
      sse.send('state', instanceState(await backend.whole(current)));
    } catch (e) {
      sse.send('problem', { message: e instanceof Error ? e.message : String(e) });
    }
  });
  await follow(sse, hub, namespace, (informer, changed) => {
    holder.informer = informer;
    if (changed === undefined || changed === name) send();
  });
}
