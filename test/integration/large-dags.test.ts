/**
 * Any fan-in and fan-out: Dags far past what CEL could afford to check are
 * accepted at admission and checked by the operator instead (Dag status), and
 * large instances run to the end. No-op tasks (`sleep` 0 s) keep it a test of
 * behaviour, not of speed.
 */
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, DAG, taskShardResource } from '../../operator/api/names.ts';
import { parse } from 'yaml';
import { DagInstance } from '../../operator/api/objects.ts';
import { serializedBytes } from '../../operator/kube/cache-trim.ts';
import type { KubeObject } from '../../operator/kube/types.ts';
import { TaskShardStore } from '../../operator/store/task-shards.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { wide, type Task } from '../support/dags.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { plugin } from '../support/plugin-cli.ts';
import { versionsUntil } from '../support/versions.ts';

let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('large-dags'));
  // The product's lease timings, not the tests' fast ones: this file keeps the API server busy
  // with megabyte objects, and there is no failover to test here.
  env.startOperator('operator-a', {
    env: {
      FASTFLOW_LEASE_DURATION_SECS: '15',
      FASTFLOW_RENEW_DEADLINE_SECS: '10',
      FASTFLOW_RETRY_PERIOD_SECS: '2',
    },
  });
  env.startWorker('worker', { concurrency: 64 });
  // Up and known to the operator before the megabyte Dags keep the API server busy.
  await env.workerInUse('worker');
}, 120_000);
afterAll(async () => env.stop());

/** `kubectl apply --server-side` (client-side apply keeps a copy in a 256 KiB annotation). */
async function apply(name: string, tasks: Task[]): Promise<void> {
  const manifest = { apiVersion: API_VERSION, kind: DAG.kind, metadata: { name }, spec: { tasks } };
  const res = await env.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify(manifest));
  expect(res.stderr).toBe('');
  expect(res.stdout).toBe(`dag.fastflow.io/${name} serverside-applied\n`);
}

/** The Dag's status once the operator has checked its current generation. */
async function verdict(
  name: string,
): Promise<{ valid?: boolean; taskCount?: number; message?: string }> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const dag = await env.getDag(name);
    const generation = (dag['metadata'] as { generation?: number }).generation;
    const status = dag['status'] as { observedGeneration?: number; valid?: boolean } | undefined;
    if (status?.valid !== undefined && status.observedGeneration === generation) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the operator did not report on Dag ${name}; logs: ${env.logs}`);
}

const time = (s: string | undefined): number => Date.parse(s ?? '');
/** Finished entries move into TaskShards: the whole instance is the status with them. */
const shardStore = new TaskShardStore(testKubeConfig().makeApiClient(CustomObjectsApi));
/** An object's size as stored, managedFields included (the watch's cache leaves them out). */
const bytes = (o: KubeObject): number => serializedBytes(o);
const finished = (i: DagInstance): boolean =>
  ['Succeeded', 'Failed'].includes(i.status?.phase ?? '');

function expectJoinAfterAll(done: DagInstance, width: number): void {
  const tasks = done.status?.tasks ?? {};
  const join = tasks['join'];
  expect(join).toMatchObject({ phase: 'Succeeded', attempt: 1 });
  const finished = Array.from({ length: width }, (_, i) => time(tasks[`w${i}`]?.finishedAt));
  expect(finished.every((t) => Number.isFinite(t))).toBe(true);
  expect(time(join?.startedAt)).toBeGreaterThanOrEqual(Math.max(...finished));
}

describe('Dags past what CEL can afford', () => {
  it('accepts a 5,000-task Dag whose join depends on 4,998 tasks, and reports it valid', async () => {
    await apply('five-thousand', wide(4998));
    expect(await verdict('five-thousand')).toMatchObject({ valid: true, taskCount: 5000 });
  });

  it.each([
    {
      name: 'dangling',
      edit: (t: Task[]) => t[3210]?.dependOn?.push('ghost'),
      message:
        'spec.tasks[3210].dependOn[1]: task "w3209" depends on "ghost", which is not a task of this Dag',
    },
    {
      name: 'cycle',
      edit: (t: Task[]) => t[0] && (t[0].dependOn = ['join']),
      message: 'spec.tasks: tasks form a cycle: ',
    },
    {
      name: 'self',
      edit: (t: Task[]) => t[4999]?.dependOn?.push('join'),
      message: 'spec.tasks[4999].dependOn[4998]: task "join" depends on itself',
    },
  ])(
    'reports a 5,000-task Dag with a $name dependency invalid, naming the field',
    async ({ name, edit, message }) => {
      const tasks = wide(4998);
      edit(tasks);
      await apply(`invalid-${name}`, tasks);
      const status = await verdict(`invalid-${name}`);
      expect(status.valid).toBe(false);
      expect(status.message).toContain(message);
    },
  );
});

describe('large instances run to the end', () => {
  it('runs a 2,000-task instance (root → 1,998 → join) in objects of at most 256 KiB', async () => {
    await env.createDag('two-thousand', { tasks: wide(1998) });
    await env.createInstance('two-thousand-1', 'two-thousand');
    const seen = await versionsUntil(env, 'two-thousand-1', finished, 110_000);
    const done = seen.at(-1);
    expect(done?.status).toMatchObject({
      phase: 'Succeeded',
      progress: '2000/2000',
      counts: { Succeeded: 2000 },
    });
    // Every version of the instance the API server stored, and every shard, stays bounded.
    expect(Math.max(...seen.map(bytes))).toBeLessThanOrEqual(256 * 1024);
    const shards = await env.custom.listNamespacedCustomObject({
      ...taskShardResource,
      namespace: env.namespace,
    });
    // (A pass from a stale cache may leave a shard past status.shards: adopted or collected later.)
    const items = (shards as { items: KubeObject[] }).items;
    expect(items.length).toBeGreaterThanOrEqual(done?.status?.shards ?? Infinity);
    expect(Math.max(...items.map(bytes))).toBeLessThanOrEqual(256 * 1024);
    expect(Object.keys(done?.status?.tasks ?? {}).length).toBeLessThan(2000);
    // The plugin prints it whole, in today's shape: every entry in status.tasks.
    for (const format of ['json', 'yaml']) {
      const got = await plugin(['get', 'two-thousand-1', '-n', env.namespace, '-o', format]);
      expect(got.stderr).toBe('');
      const whole = DagInstance.parse(
        format === 'json' ? JSON.parse(got.stdout) : parse(got.stdout),
      );
      expect(Object.keys(whole.status?.tasks ?? {})).toHaveLength(2000);
      expectJoinAfterAll(whole, 1998);
    }
  });

  it('runs a 300-way join', async () => {
    await env.createDag('join-300', { tasks: wide(300) });
    await env.createInstance('join-300-1', 'join-300');
    const done = await shardStore.whole(await env.finished('join-300-1'));
    expect(done.status).toMatchObject({ phase: 'Succeeded', progress: '302/302' });
    expectJoinAfterAll(done, 300);
  });
});
