// The demo's Conductor part (issue 10): the kitchen-sink of examples/conductor
// converted and applied by `fastflow migrate --from conductor`, an instance
// of it started, its approval given. Apart from hack/demo.ts so the demo stays
// one screen; the order server is here, not shared with the integration test,
// because scripts may not import test code (hack/lint/layers.ts).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { FastflowClient } from '../../actions-runtime/index.ts';
import { spawnFastflow, type SpawnOptions } from '../../test/local-cluster/fastflow-process.ts';

/** The API the kitchen-sink's HTTP task calls: `POST /orders` answers 201 `{"id":"o-1"}`. */
export async function startOrderServer(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const created = req.method === 'POST' && req.url === '/orders';
      res.setHeader('content-type', 'application/json');
      res.writeHead(created ? 201 : 404).end(JSON.stringify(created ? { id: 'o-1' } : {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** `fastflow migrate --from conductor DIR --apply`, as a user runs it; throws unless it exits 0. */
export async function migrateConductor(dir: string, opts: SpawnOptions): Promise<void> {
  const args = ['migrate', '--from', 'conductor', dir, '--apply', '--namespace', opts.namespace];
  const code = await spawnFastflow(args, opts).exited;
  const log = readFileSync(opts.logFile, 'utf8').trim();
  if (code !== 0) throw new Error(`fastflow ${args.join(' ')} exited ${code}:\n${log}`);
}

/**
 * Starts the kitchen-sink (default env=prod: it takes the approval branch) and
 * approves its `sign_off` once that waits; resolves with the instance's name
 * and the approval, which settles once given or once the instance finished.
 */
export async function runKitchenSink(
  kubeconfig: string,
  namespace: string,
  baseUrl: string,
): Promise<{ name: string; approved: Promise<boolean> }> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const client = new FastflowClient(kc, { namespace });
  const name = await client.runDag('kitchen-sink', { baseUrl });
  const approved = (async (): Promise<boolean> => {
    for (;;) {
      const i = await client.get(name);
      if (i.status?.tasks?.['sign_off']?.reason === 'Waiting') {
        await client.approve(name, 'sign_off', { message: 'approved by the demo' });
        return true;
      }
      if (['Succeeded', 'Failed', 'Canceled'].includes(i.status?.phase ?? '')) return false;
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return { name, approved };
}
