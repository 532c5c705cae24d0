/**
 * Headless Chromium for the web view's tests, driven by playwright-core:
 * Debian's chromium, found or installed by hack/chromium.sh (no browser
 * download exists here). An unpacked one (not root) gets its libraries from
 * beside it.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function chromiumPath(): string {
  return execFileSync('bash', [join(ROOT, 'hack', 'chromium.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  // .../chromium/usr/lib/chromium/chromium → .../chromium/usr/lib/x86_64-linux-gnu and friends.
  const usrLib = dirname(dirname(executablePath));
  const libs = [join(usrLib, 'x86_64-linux-gnu'), join(usrLib, 'aarch64-linux-gnu'), usrLib];
  const ld = [...libs, process.env['LD_LIBRARY_PATH'] ?? ''].filter(Boolean).join(':');
  return chromium.launch({
    executablePath,
    headless: true,
    // No sandbox: the tests run as root in a container, where Chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
    env: { ...process.env, LD_LIBRARY_PATH: ld },
  });
}
