/**
 * `kubectl fastflow ui`: serves the web view (operator/web) on this machine
 * with the kubeconfig's user, so what the page shows and may do is what that
 * user's RBAC allows. Runs until Ctrl-C. `fastflow ui` runs the same in a
 * cluster (the chart), as its ServiceAccount.
 */
import { createLogger } from '../log.ts';
import { startUi } from '../web/server.ts';
import { open } from './commands.ts';
import type { ClusterFlags } from './connect.ts';
import { UsageError } from './errors.ts';
import type { IO } from './io.ts';
import { uiBackend } from './ui-backend.ts';

export type UiFlags = ClusterFlags & {
  address?: string;
  port?: string;
  readOnly?: boolean;
  allowHost?: string[];
};

export const DEFAULT_UI_PORT = 8484;

function port(value: string | undefined): number {
  if (value === undefined) return DEFAULT_UI_PORT;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new UsageError(`--port must be a port number (0-65535), not ${JSON.stringify(value)}`);
  }
  return n;
}

/** Serves until `io.signal` aborts (Ctrl-C); `started` is told the URL (tests). */
export async function uiCommand(
  flags: UiFlags,
  io: IO,
  started?: (url: string) => void,
): Promise<number> {
  const listenPort = port(flags.port);
  const conn = open(flags, io);
  const address = flags.address ?? '127.0.0.1';
  const log = createLogger(io.env['FASTFLOW_LOG_LEVEL'] ?? 'warn', { component: 'ui' });
  let ui;
  try {
    ui = await startUi(
      uiBackend(conn),
      {
        address,
        port: listenPort,
        readOnly: flags.readOnly === true,
        allowedHosts: flags.allowHost ?? [],
      },
      log,
    );
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      throw new UsageError(`port ${listenPort} on ${address} is in use: pick another with --port`);
    }
    throw e;
  }
  io.out(
    `fastflow web view at ${ui.url} (cluster ${conn.server}, namespace ${conn.namespace}` +
      `${flags.readOnly ? ', read-only' : ''}); Ctrl-C stops it\n`,
  );
  started?.(ui.url);
  await new Promise<void>((resolve) => {
    if (!io.signal || io.signal.aborted) return resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await ui.close();
  return 0;
}
