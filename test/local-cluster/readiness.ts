/** Waiting for a started process to answer its health endpoint. */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { exited, isAlive } from './children.ts';
import { logTail } from './log.ts';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function httpGet(
  url: string,
  opts: { token?: string; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers: Record<string, string> = {};
    if (opts.token !== undefined) headers['Authorization'] = `Bearer ${opts.token}`;
    const callback = (res: http.IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    };
    const req =
      u.protocol === 'https:'
        ? // Self-signed serving cert of this local cluster only.
          https.get(u, { headers, agent: false, rejectUnauthorized: false }, callback)
        : http.get(u, { headers, agent: false }, callback);
    req.setTimeout(opts.timeoutMs ?? 2_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

class ChildExited extends Error {}

/** Polls `probe` until it returns true; fails early, with its log tail, if `child` exits. */
export async function waitReady(
  name: string,
  child: ChildProcess,
  logPath: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  const died = exited(child);
  while (Date.now() < deadline) {
    if (!isAlive(child)) {
      const how =
        child.exitCode !== null ? `exit code ${child.exitCode}` : `signal ${child.signalCode}`;
      throw new ChildExited(
        `${name} exited during start (${how}); last lines of ${logPath}:\n${await logTail(logPath)}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
    await Promise.race([sleep(100), died]);
  }
  throw new Error(
    `${name} not ready after ${timeoutMs / 1000} s (${lastError || 'no answer'}); ` +
      `last lines of ${logPath}:\n${await logTail(logPath)}`,
  );
}
