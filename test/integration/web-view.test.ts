/**
 * The web view end to end: `kubectl fastflow ui`'s server on the real local
 * control plane with a real operator and worker, driven in headless Chromium
 * (playwright-core, Debian's chromium: test/support/browser.ts). A person
 * opens the instance list, clicks into an instance, watches its nodes change
 * colour live, opens a task and approves or retries it; a 5,000-copy
 * fan-out opens collapsed into one group node that expands.
 * FASTFLOW_SCREENSHOTS=1 (`npm run screenshots`) saves the pages as docs/ui-*.png.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { instanceResource } from '../../operator/api/names.ts';
import { silentLogger } from '../../operator/log.ts';
import { connect } from '../../operator/plugin/connect.ts';
import { uiBackend } from '../../operator/plugin/ui-backend.ts';
import { startUi, type RunningUi } from '../../operator/web/server.ts';
import { launchBrowser } from '../support/browser.ts';
import { createTestNamespace, testKubeconfigPath } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { BIN, home } from '../support/plugin-cli.ts';

const flaky = fileURLToPath(new URL('../support/actions/flaky.ts', import.meta.url));
const SHOTS = process.env['FASTFLOW_SCREENSHOTS'] === '1';
const docs = (name: string): string =>
  fileURLToPath(new URL(`../../docs/ui-${name}.png`, import.meta.url));

let env: FastflowEnv;
let quiet: string;
let ui: RunningUi;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('web'));
  // A namespace no operator watches: the 5,000-copy instance's status is written by the test.
  quiet = await createTestNamespace('web-big');
  env.startOperator('operator');
  env.startWorker('worker', { actions: [flaky] });
  await env.createDag('release', {
    tasks: [
      { id: 'build', actionName: 'sleep', params: { seconds: 0.5 } },
      { id: 'test', actionName: 'print', dependOn: ['build'] },
      { id: 'lint', actionName: 'print', dependOn: ['build'] },
      { id: 'sign-off', type: 'approval', dependOn: ['test', 'lint'] },
      { id: 'deploy', actionName: 'print', dependOn: ['sign-off'] },
    ],
  });
  await env.createDag('shaky', {
    tasks: [
      { id: 'fetch', actionName: 'traced-flaky', params: { failAttempts: 1 } },
      { id: 'report', actionName: 'print', dependOn: ['fetch'] },
    ],
  });
  const conn = connect({ kubeconfig: testKubeconfigPath(), namespace: env.namespace }, {});
  ui = await startUi(
    uiBackend(conn),
    { address: '127.0.0.1', port: 0, readOnly: false },
    silentLogger(),
  );
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  await env?.stop();
});

const node = (id: string): string => `[data-testid=graph] g.node[data-id="${id}"]`;

/** Resolves once `selector`'s data-phase is `phase`: the page changed it from the live stream. */
async function phaseOf(selector: string, phase: string): Promise<void> {
  await page.waitForSelector(`${selector}[data-phase="${phase}"]`, { timeout: 30_000 });
}

it('opens an instance from the list, follows it live, and approves its approval task', async () => {
  await env.createInstance('release-1', 'release');
  await page.goto(`${ui.url}#/ns/${env.namespace}`);
  await page.click('tr[data-instance="release-1"] a');
  await page.waitForSelector(node('deploy'));
  // The approval waits; everything before it succeeded, seen on the open page.
  await phaseOf(node('sign-off'), 'Running');
  await phaseOf(node('test'), 'Succeeded');
  expect(await page.getAttribute(node('deploy'), 'data-phase')).toBe('Pending');

  await page.click(node('sign-off'));
  await page.waitForSelector('[data-testid=task-key]:has-text("sign-off")');
  await page.fill('[data-testid=message]', 'ship it');
  if (SHOTS) await page.screenshot({ path: docs('task') });
  await page.click('[data-task-op=approve]');
  await page.waitForSelector('#banner:has-text("approve applied")');
  await phaseOf(node('deploy'), 'Succeeded');
  await page.waitForSelector('[data-testid=instance-head] .phase[data-phase=Succeeded]');
  if (SHOTS) await page.screenshot({ path: docs('instance') });

  // The same signal as `kubectl fastflow approve`: recorded under the kubeconfig's user.
  const done = await env.getInstance('release-1');
  expect(done.status?.tasks?.['sign-off']?.output).toMatchObject({
    approved: true,
    message: 'ship it',
  });
});

it('shows a failed task with its attempts and trace, and retries it', async () => {
  await env.createInstance('shaky-1', 'shaky');
  await env.finished('shaky-1');
  await page.goto(`${ui.url}#/ns/${env.namespace}`);
  await page.waitForSelector('tr[data-instance="shaky-1"] .phase[data-phase=Failed]');
  if (SHOTS) await page.screenshot({ path: docs('instances') });
  await page.click('tr[data-instance="shaky-1"] a');
  await page.click(node('fetch'));
  await page.waitForSelector('[data-testid=task-key]:has-text("fetch")');
  await page.waitForSelector('[data-testid=trace]:has-text("attempt 1")');
  await page.click('[data-task-op=retry]');
  await page.waitForSelector('#banner:has-text("retry applied")');
  await phaseOf(node('report'), 'Succeeded');
  // The panel follows the task: its second attempt, after the failed first.
  await page.waitForSelector('[data-testid=attempts] tr:nth-child(3)');
  const rows = await page.$$eval('[data-testid=attempts] tr', (trs) =>
    trs.slice(1).map((tr) => tr.children[1]?.textContent),
  );
  expect(rows).toEqual(['Succeeded', 'Failed']);
});

it('shares one watch of a namespace among every open page', async () => {
  const second = await browser.newPage();
  try {
    await page.goto(`${ui.url}#/ns/${env.namespace}/i/release-1`);
    await page.waitForSelector(`${node('deploy')}[data-phase=Succeeded]`);
    await second.goto(`${ui.url}#/ns/${env.namespace}`);
    await second.waitForSelector('tr[data-instance="release-1"]');
    // Two streams (an instance page, a list), one informer of the namespace.
    await expect.poll(() => ui.hub.watching()).toEqual({ [env.namespace]: 2 });
  } finally {
    await second.close();
  }
});

it('refuses an operation that does not apply, saying why', async () => {
  await page.goto(`${ui.url}#/ns/${env.namespace}/i/release-1`);
  await page.waitForSelector(node('deploy'));
  await page.click('button[data-op=resume]');
  await page.waitForSelector('#banner.error:has-text("resume refused")');
});

it('opens a 5,000-copy fan-out collapsed into one group, and expands it', async () => {
  // No operator watches this namespace: the status below is the test's.
  const big = new FastflowEnv(quiet);
  await big.createDag('fan', {
    tasks: [
      { id: 'split', actionName: 'print' },
      { id: 'work', actionName: 'print', dependOn: ['split'] },
      { id: 'merge', actionName: 'print', dependOn: ['work'] },
    ],
  });
  await big.createInstance('fan-1', 'fan');
  const custom = big.custom;
  const phases = ['Succeeded', 'Succeeded', 'Running', 'Failed', 'Pending'] as const;
  const tasks: Record<string, { phase: string }> = {
    split: { phase: 'Succeeded' },
    work: { phase: 'Running' },
  };
  for (let i = 0; i < 5000; i++) tasks[`work[${i}]`] = { phase: phases[i % 5] as string };
  const current = (await custom.getNamespacedCustomObject({
    ...instanceResource,
    namespace: quiet,
    name: 'fan-1',
  })) as Record<string, unknown>;
  await custom.replaceNamespacedCustomObjectStatus({
    ...instanceResource,
    namespace: quiet,
    name: 'fan-1',
    body: { ...current, status: { phase: 'Running', progress: '2001/5003', tasks } },
  });

  await page.goto(`${ui.url}#/ns/${quiet}/i/fan-1`);
  await page.waitForSelector(`${node('work')}[data-group="5000"]`);
  expect(await page.$$eval('[data-testid=graph] g.node', (n) => n.length)).toBe(3);
  expect(await page.$$('[data-testid=graph] rect.cell[data-key]')).toHaveLength(0);
  await phaseOf(node('work'), 'Running');
  if (SHOTS) await page.screenshot({ path: docs('fanout') });

  await page.click(node('work'));
  await page.waitForSelector('rect.cell[data-key="work[4999]"]');
  expect(await page.$$('[data-testid=graph] rect.cell[data-key]')).toHaveLength(5000);
  await page.click('rect.cell[data-key="work[3]"]');
  await page.waitForSelector('[data-testid=task-key]:has-text("work[3]")');
  expect(await page.textContent('[data-testid=task-key] .phase')).toBe('Failed');
  if (SHOTS) await page.screenshot({ path: docs('fanout-expanded') });
});

it('kubectl fastflow ui serves the page with the kubeconfig until Ctrl-C', async () => {
  const child = spawn(process.execPath, [BIN, 'ui', '--port', '0', '-n', env.namespace], {
    env: { PATH: process.env['PATH'] ?? '', HOME: home, KUBECONFIG: testKubeconfigPath() },
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const m = /web view at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  expect(await (await fetch(`${url}api/config`)).json()).toEqual({
    namespace: env.namespace,
    readOnly: false,
  });
  const page2 = await browser.newPage();
  await page2.goto(url);
  await page2.waitForSelector('tr[data-instance="release-1"]');
  await page2.close();
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  expect((await exited)[0]).toBe(0);
});
