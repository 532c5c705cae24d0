/**
 * The image, proven without a Docker engine: built from the Dockerfile by
 * hack/image.sh (umoci), its entrypoint run with runc as `fastflow operator`
 * and `fastflow worker`, as uid 1000 on a read-only root, against the test
 * cluster. The worker in its container runs examples/diamond to the end.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.ts';
import { FAST_LEASES, FastflowEnv } from '../support/fastflow-env.ts';
import {
  buildImage,
  nodeInContainer,
  runImage,
  type ImageContainer,
} from '../support/image-container.ts';

let env: FastflowEnv;
const containers: ImageContainer[] = [];
let operator: string;
const DIAMOND = new URL('../../examples/diamond/', import.meta.url);

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('image'));
  expect(await buildImage()).toMatch(/oci:dev$/);
  const start = (name: string, args: string[], extra: Record<string, string>): void => {
    containers.push(
      runImage(name, args, {
        kubeconfig: env.kubeconfigPath,
        logFile: join(env.logs, `${args[0]}.log`),
        env: {
          FASTFLOW_NAMESPACE: env.namespace,
          FASTFLOW_METRICS_PORT: '0',
          FASTFLOW_LOG_LEVEL: 'debug',
          ...extra,
        },
      }),
    );
  };
  // Unique runc names: runc's state is per machine, not per test run.
  operator = `ff-op-${env.namespace}`;
  start(operator, ['operator'], FAST_LEASES);
  start(`ff-wk-${env.namespace}`, ['worker', '--name', 'image-worker'], {
    FASTFLOW_LEASE_DURATION_SECS: '2',
  });
});

afterAll(async () => {
  await Promise.all(containers.map((c) => c.stop()));
});

it('the operator in the image takes the leader Lease', async () => {
  await env.logLine('operator.log', (l) => l['msg'] === 'became leader', 60_000);
  // Its default identity starts with its hostname: the container's name.
  expect(await env.leaderIdentity()).toMatch(new RegExp(`^${operator}`));
});

// What the container's process sees of itself and its filesystem.
const PROBE = String.raw`
  const fs = require('node:fs');
  const status = fs.readFileSync('/proc/1/status', 'utf8');
  const root = fs.readFileSync('/proc/1/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === '/');
  fs.writeFileSync('/tmp/probe', 'ok');
  console.log(JSON.stringify({
    uid: status.match(/^Uid:\s+(\d+)/m)[1],
    capabilities: status.match(/^CapEff:\s+(\w+)/m)[1],
    rootOptions: root.split(' ')[5].split(','),
    tmp: fs.readFileSync('/tmp/probe', 'utf8'),
  }));`;

it("runs as the chart's pods do: uid 1000, read-only root, no capabilities, /tmp writable", async () => {
  const seen = JSON.parse(await nodeInContainer(operator, PROBE)) as Record<string, unknown>;
  expect(seen).toMatchObject({ uid: '1000', capabilities: '0000000000000000', tmp: 'ok' });
  expect(seen['rootOptions']).toContain('ro');
});

it("the README's example Dag runs to Succeeded on the worker in the image, which holds its Lease", async () => {
  // What docs/install.md applies once the chart is installed.
  const applied = await env.kubectl(['apply', '-f', fileURLToPath(DIAMOND)]);
  expect(applied.code, applied.stderr).toBe(0);
  const done = await env.finished('diamond-run-1');
  expect(done.status?.phase).toBe('Succeeded');
  for (const id of ['a', 'b', 'c', 'd']) {
    expect(done.status?.tasks?.[id]?.worker).toMatch(/^image-worker-/);
  }
  // The worker in the image holds its heartbeat Lease.
  expect(await env.liveWorkers()).toContainEqual(expect.stringMatching(/^image-worker-/));
});
