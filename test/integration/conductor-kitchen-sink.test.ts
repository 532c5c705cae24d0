/**
 * Coming from Conductor, end to end: the kitchen-sink workflow
 * (examples/conductor/kitchen-sink.json: every Conductor task type that
 * converts, in one workflow, and its child) is converted and applied by
 * `fastflow migrate --from conductor`, then run on the control plane with a
 * stock worker to the end: the approval given, the HTTP call answered by a
 * local server, the fan-out, the loop, the child Dag and the terminate.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastflowClient } from '../../actions-runtime/index.ts';
import type { DagInstance } from '../../operator/api/objects.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { kitchenSinkFiles } from '../support/conductor-examples.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { migrate } from '../support/migrate-cli.ts';

/** The example files, written where the CLI reads them. */
function examples(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'fastflow-conductor-'));
  return kitchenSinkFiles().map((f) => {
    writeFileSync(join(dir, f.path), f.text);
    return join(dir, f.path);
  });
}

/** Leases as a deployment has them: this test is about the conversion, not failover. */
const STEADY_LEASES = {
  FASTFLOW_LEASE_DURATION_SECS: '15',
  FASTFLOW_RENEW_DEADLINE_SECS: '10',
  FASTFLOW_RETRY_PERIOD_SECS: '2',
};

let env: FastflowEnv;
let server: Server;
let base: string;
const posted: unknown[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const sent = { path: req.url, stage: req.headers['x-stage'], body: JSON.parse(body) };
      posted.push(sent);
      res.setHeader('content-type', 'application/json');
      res.writeHead(201).end(JSON.stringify({ id: 'o-1' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  env = new FastflowEnv(await createTestNamespace('conductor'));
  env.startOperator('operator-a', { env: STEADY_LEASES });
  env.startWorker('worker');
});
afterAll(async () => {
  await env.stop();
  server.closeAllConnections();
  server.close();
});

const phases = (i: DagInstance): Record<string, string> =>
  Object.fromEntries(Object.entries(i.status?.tasks ?? {}).map(([k, t]) => [k, t.phase]));

describe('the Conductor kitchen-sink', () => {
  it('converts with no problem and is applied; both Dags are valid', async () => {
    const args = ['--from', 'conductor', ...examples(), '--apply', '--namespace', env.namespace];
    const r = await migrate(args);
    expect(r.stderr).not.toContain('error');
    expect(r.stderr).toContain(`applied Dag ${env.namespace}/kitchen-sink (from `);
    expect(r.stderr).toContain(`applied Dag ${env.namespace}/kitchen-sink-child (from `);
    expect(r.code).toBe(0);
    for (const dag of ['kitchen-sink', 'kitchen-sink-child']) {
      const status = await env.dagStatus(dag);
      expect(status['valid'], JSON.stringify(status)).toBe(true);
    }
  });

  it('runs to the end: approval, HTTP, fan-out, loop, sub-DAG and terminate', async () => {
    const client = new FastflowClient(testKubeConfig(), { namespace: env.namespace });
    const name = await client.runDag('kitchen-sink', { baseUrl: base });
    await env.waitForInstance(name, (i) => i.status?.tasks?.['sign_off']?.reason === 'Waiting');
    await client.approve(name, 'sign_off', { message: 'ship it' });
    const done = await env.finished(name, 120_000);

    expect(done.status?.phase, done.status?.message).toBe('Succeeded');
    expect(done.status?.message).toBe('terminated by task done: Succeeded: all steps ran');
    expect(done.status?.output).toEqual({ stage: 'planned-eu-west', status: 201 });
    expect(phases(done)).toMatchObject({
      plan: 'Succeeded',
      calc: 'Succeeded',
      set_stage: 'Succeeded',
      route: 'Succeeded',
      sign_off: 'Succeeded',
      no_sign_off: 'Skipped',
      legacy_route: 'Succeeded',
      eu_note: 'Succeeded',
      call_api: 'Succeeded',
      cool_down: 'Succeeded',
      fan_out: 'Succeeded',
      'fan_out[0]': 'Succeeded',
      'fan_out[1]': 'Succeeded',
      'fan_out[2]': 'Succeeded',
      retry_loop: 'Succeeded',
      child: 'Succeeded',
      done: 'Succeeded',
    });
    const tasks = done.status?.tasks ?? {};
    expect(tasks['calc']?.output).toMatchObject({ result: 6 });
    expect(tasks['route']?.output).toEqual({ selectedCase: 'prod', evaluationResult: 'prod' });
    expect(tasks['sign_off']?.output).toMatchObject({ approved: true, message: 'ship it' });
    expect(tasks['retry_loop']?.output).toMatchObject({ iteration: 3 });
    expect(posted).toEqual([
      { path: '/orders', stage: 'planned-eu-west', body: { region: 'eu-west' } },
    ]);
  });
});
