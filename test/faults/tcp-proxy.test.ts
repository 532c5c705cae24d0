import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpProxy } from './tcp-proxy.ts';

/** An upstream that answers each line it receives with "echo:<line>". */
async function echoServer(): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('data', (d) => s.write(`echo:${d.toString()}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  if (a === null || typeof a === 'string') throw new Error('no port');
  return {
    port: a.port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function client(port: number): { socket: Socket; next: () => Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  const queue: string[] = [];
  const waiting: ((s: string) => void)[] = [];
  socket.on('data', (d) => {
    const w = waiting.shift();
    if (w) w(d.toString());
    else queue.push(d.toString());
  });
  return {
    socket,
    next: () => {
      const q = queue.shift();
      return q !== undefined ? Promise.resolve(q) : new Promise((r) => waiting.push(r));
    },
  };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** An echo server behind a proxy, and a client of the proxy; all closed after the test. */
async function proxied(): Promise<{ proxy: TcpProxy; c: ReturnType<typeof client> }> {
  const upstream = await echoServer();
  const proxy = await TcpProxy.start(upstream.port);
  const c = client(proxy.port);
  cleanups.push(
    () => c.socket.destroy(),
    () => proxy.close(),
    upstream.close,
  );
  return { proxy, c };
}

describe('TcpProxy', () => {
  it('passes responses, holds them back while stalled and releases them in order', async () => {
    const { proxy, c } = await proxied();

    c.socket.write('a');
    expect(await c.next()).toBe('echo:a');

    proxy.set({ kind: 'stall' });
    let got: string | undefined;
    const held = c.next().then((s) => (got = s));
    c.socket.write('b');
    // The request reached the upstream, whose answer the proxy now holds.
    while (proxy.held === 0) await new Promise((r) => setImmediate(r));
    expect(got).toBeUndefined();

    proxy.set({ kind: 'pass' });
    await held;
    expect(got).toBe('echo:b');
  });

  it('delays responses by the given time without reordering them', async () => {
    const { proxy, c } = await proxied();
    proxy.set({ kind: 'delay', ms: 50 });
    c.socket.write('x');
    const first = await c.next();
    c.socket.write('y');
    const second = await c.next();
    expect([first, second]).toEqual(['echo:x', 'echo:y']);
  });
});
