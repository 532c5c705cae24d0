/**
 * Instances whose finished task entries the operator moved into TaskShards:
 * a new operator process decides from them (a compacted parent is done, not
 * to be run again), a worker renders a template from a sharded parent's
 * output (inline, or in its attempt data), and readers see every task in one object.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastflowClient } from '../../actions-runtime/client/client.ts';
import type { TaskStatus } from '../../operator/api/dag-instance.ts';
import { taskShardResource } from '../../operator/api/names.ts';
import { TaskShard } from '../../operator/api/objects.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { chain } from '../support/dags.ts';
import type { FastflowProcess } from '../local-cluster/fastflow-process.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

const dataActions = fileURLToPath(new URL('../support/actions/data.ts', import.meta.url));
const STEPS = 300;
let env: FastflowEnv;
let first: FastflowProcess;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('shards'));
  first = env.startOperator('operator-a');
  env.startWorker('worker', { actions: [dataActions] });
  await env.workerInUse('worker');
}, 60_000);
afterAll(async () => env.stop());

describe('an instance with shards', () => {
  it('is finished by a restarted operator without running a sharded task again', async () => {
    // first → c0 → … → c299 → reader, which renders first's output once it is long sharded.
    await env.createDag('sharded', {
      tasks: [
        { id: 'first', actionName: 'emit' },
        // An output past the inline bound: the sharded entry holds its outputRef.
        { id: 'big', actionName: 'blob', params: { bytes: 4000, marker: 'm-1' } },
        ...chain(STEPS, 'first'),
        {
          id: 'reader',
          actionName: 'echo',
          dependOn: ['first', 'big', `c${STEPS - 1}`],
          params: { ip: '{{tasks.first.output.ip}}', marker: '{{tasks.big.output.marker}}' },
        },
      ],
    });
    await env.createInstance('sharded-1', 'sharded');
    const compacted = await env.waitForInstance('sharded-1', (i) => (i.status?.shards ?? 0) > 0);
    first.kill('SIGKILL');
    expect(compacted.status?.phase).toBe('Running');
    expect(compacted.status?.tasks?.['first']).toBeUndefined();
    expect(compacted.status?.tasks?.['big']).toBeUndefined();

    env.startOperator('operator-b');
    const done = await env.finished('sharded-1', 120_000);
    expect(done.status).toMatchObject({
      phase: 'Succeeded',
      counts: { Succeeded: STEPS + 3 },
      progress: `${STEPS + 3}/${STEPS + 3}`,
    });

    // No key is both in a shard and in status: nothing sharded ran again.
    const list = await env.custom.listNamespacedCustomObject({
      ...taskShardResource,
      namespace: env.namespace,
    });
    const shards = (list as { items: unknown[] }).items.map((o) => TaskShard.parse(o));
    expect(shards).toHaveLength(done.status?.shards ?? -1);
    const sharded = shards.flatMap((s) => Object.keys(s.spec.tasks));
    expect(sharded.filter((k) => done.status?.tasks?.[k] !== undefined)).toEqual([]);
    expect(new Set(sharded).size).toBe(sharded.length);

    // The SDK returns it whole: every task once, in order, each after its parent.
    const client = new FastflowClient(testKubeConfig(env.kubeconfigPath), {
      namespace: env.namespace,
    });
    const tasks: Record<string, TaskStatus> = (await client.get('sharded-1')).status?.tasks ?? {};
    expect(Object.keys(tasks)).toHaveLength(STEPS + 3);
    expect(Object.values(tasks).every((t) => t.phase === 'Succeeded' && t.attempt === 1)).toBe(
      true,
    );
    for (let i = 1; i < STEPS; i++) {
      const [parent, child] = [tasks[`c${i - 1}`], tasks[`c${i}`]];
      expect(Date.parse(child?.startedAt ?? '')).toBeGreaterThanOrEqual(
        Date.parse(parent?.finishedAt ?? ''),
      );
    }
    expect(tasks['reader']?.output).toEqual({ ip: '10.1.2.3', marker: 'm-1' });
    expect(tasks['big']?.output).toMatchObject({ marker: 'm-1', size: 4000 });
  }, 180_000);
});
