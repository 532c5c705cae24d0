/**
 * A TCP proxy between fastflow's processes and kube-apiserver (R5) that can
 * make the API server look slow or hung: requests pass at once, responses
 * (TLS records included: the bytes are not decrypted) are passed, delayed by
 * a fixed time, or held back until the proxy passes again. Order is kept on
 * every connection. Listens on a free loopback port.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = { kind: 'pass' } | { kind: 'delay'; ms: number } | { kind: 'stall' };

type Held = { chunk: Buffer; releaseAt: number };

class Connection {
  readonly #client: Socket;
  readonly #proxy: TcpProxy;
  readonly #held: Held[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly close: () => void;

  constructor(client: Socket, upstream: Socket, proxy: TcpProxy) {
    this.#client = client;
    this.#proxy = proxy;
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      const mode = proxy.mode;
      const delay = mode.kind === 'delay' ? mode.ms : 0;
      this.#held.push({ chunk, releaseAt: performance.now() + delay });
      this.pump();
    });
    this.close = (): void => {
      clearTimeout(this.#timer);
      client.destroy();
      upstream.destroy();
      proxy.forget(this);
    };
    for (const s of [client, upstream]) {
      s.on('error', this.close);
      s.on('close', this.close);
    }
  }

  get held(): number {
    return this.#held.length;
  }

  /** Writes what is due, unless stalled; wakes up again for the next chunk. */
  pump(): void {
    clearTimeout(this.#timer);
    if (this.#proxy.mode.kind === 'stall') return;
    const now = performance.now();
    while (this.#held.length > 0 && (this.#held[0] as Held).releaseAt <= now) {
      this.#client.write((this.#held.shift() as Held).chunk);
    }
    const next = this.#held[0];
    if (next) this.#timer = setTimeout(() => this.pump(), next.releaseAt - now);
  }
}

export class TcpProxy {
  mode: ProxyMode = { kind: 'pass' };
  readonly #server: Server;
  readonly #connections = new Set<Connection>();

  private constructor(targetPort: number) {
    this.#server = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      this.#connections.add(new Connection(client, upstream, this));
    });
  }

  /** Starts a proxy to `127.0.0.1:<targetPort>`. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', resolve);
    });
    return proxy;
  }

  /** Response chunks received from the API server and not yet passed on. */
  get held(): number {
    let n = 0;
    for (const c of this.#connections) n += c.held;
    return n;
  }

  get port(): number {
    const a = this.#server.address();
    if (a === null || typeof a === 'string') throw new Error('proxy not listening');
    return a.port;
  }

  /** Changes how responses pass; a stall ending releases what was held back, in order. */
  set(mode: ProxyMode): void {
    this.mode = mode;
    for (const c of this.#connections) c.pump();
  }

  forget(c: Connection): void {
    this.#connections.delete(c);
  }

  /** Stops listening and cuts every connection. */
  close(): Promise<void> {
    for (const c of [...this.#connections]) c.close();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
