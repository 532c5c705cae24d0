import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

// Test double (used by the informer *.test.ts files here): a stand-in API
// server for the watch side only. Each watch request waits until the test
// answers it (`send` opens the stream, `reject` answers with an error
// status); LIST goes through the informer's injected `list`.

export type PendingWatch = { url: URL; res: ServerResponse };

export class FakeWatchServer {
  readonly #server: Server;
  readonly #watches: PendingWatch[] = [];
  #arrived: Array<() => void> = [];
  #kc: KubeConfig | undefined;

  constructor() {
    this.#server = createServer((req: IncomingMessage, res: ServerResponse) => {
      this.#watches.push({ url: new URL(req.url ?? '/', 'http://x'), res });
      for (const wake of this.#arrived.splice(0)) wake();
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
      currentContext: 'ctx',
    });
    this.#kc = kc;
  }

  /** A kubeconfig pointing at this server (after `listen`). */
  get kc(): KubeConfig {
    if (!this.#kc) throw new Error('FakeWatchServer: listen() first');
    return this.#kc;
  }

  /** Watch requests not taken by `nextWatch` yet whose path contains `part`. */
  pending(part: string): PendingWatch[] {
    return this.#watches.filter((w) => w.url.pathname.includes(part));
  }

  /**
   * The next watch request for `path`. Requests of informers stopped by an
   * earlier test may still trickle in; other paths are left waiting.
   */
  async nextWatch(path: string, timeoutMs = 5000): Promise<PendingWatch> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#watches.findIndex((w) => w.url.pathname === path);
      if (i >= 0) return this.#watches.splice(i, 1)[0] as PendingWatch;
      if (Date.now() > end) throw new Error('no watch request arrived');
      await new Promise<void>((resolve) => {
        this.#arrived.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Ends every waiting watch (between tests). */
  reset(): void {
    for (const w of this.#watches.splice(0)) w.res.end();
    this.#arrived = [];
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** Answers a watch request with an error status. */
export function reject(w: PendingWatch, code: number, status: object): void {
  w.res.writeHead(code, { 'content-type': 'application/json' });
  w.res.end(JSON.stringify(status));
}

/** Sends one watch event (opening the stream first). */
export function send(w: PendingWatch, type: string, object: unknown): void {
  if (!w.res.headersSent) w.res.writeHead(200, { 'content-type': 'application/json' });
  w.res.write(JSON.stringify({ type, object }) + '\n');
}

/** Resolves once `cond` holds; throws after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}
