/**
 * subDag tasks on the real control plane, with a real operator and a stock
 * worker: the child DagInstance (name, owner, labels, vars), its output back
 * in the parent, failure and retry as new children, cancel cascading, a
 * missing Dag, and the child's result reaching the parent across operator
 * restarts (Conductor's most reported bug). The control plane runs no
 * kube-controller-manager, so no garbage collector: deletion of a parent is
 * proven by the ownerReference the child carries, not by watching it go.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DagInstance } from '../../operator/api/objects.ts';
import { childInstanceName } from '../../operator/store/child-instances.ts';
import { createTestNamespace } from '../support/cluster.ts';
import { docDag } from '../support/doc-examples.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { plugin } from '../support/plugin-cli.ts';

let env: FastflowEnv;
let operator: ReturnType<FastflowEnv['startOperator']>;

const task = (i: DagInstance, id: string) => i.status?.tasks?.[id];
/** A Dag whose first task waits for a signal: its instances run until told. */
const hold = {
  tasks: [
    { id: 'gate', type: 'wait', wait: {} },
    {
      id: 'after',
      actionName: 'transform',
      dependOn: ['gate'],
      params: { queryExpression: '{got: .n}', n: '{{tasks.gate.output.n}}' },
    },
  ],
};
const wrap = (dagName: string, more: Record<string, unknown> = {}) => ({
  tasks: [{ id: 'run', type: 'subDag', subDag: { dagName }, ...more }],
});
const signal = (name: string, payload: string) =>
  plugin(['signal', name, 'gate', payload, '-n', env.namespace]);

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('sub-dags'));
  operator = env.startOperator('operator-a');
  env.startWorker('worker');
  // The examples of docs/control-flow.md, as written there.
  await env.createDag('rollout', docDag('control-flow.md', 'rollout'));
  await env.createDag('ship', docDag('control-flow.md', 'ship'));
  await env.createDag('hold', hold);
  await env.createDag('wrap-hold', wrap('hold'));
});
afterAll(async () => env.stop());

describe('a subDag task', () => {
  it("runs its Dag as a child owned by the parent; the child's output is the task's", async () => {
    await env.createInstance('ship-1', 'ship', { cluster: 'eu' });
    const done = await env.finished('ship-1');
    expect(done.status?.phase).toBe('Succeeded');
    const name = childInstanceName('ship-1', 'deploy', 1);
    expect(name).toBe('ship-1-deploy-1');
    expect(task(done, 'deploy')).toMatchObject({
      phase: 'Succeeded',
      params: { vars: { version: '1.2.3', cluster: 'eu' } },
      output: { verify: { result: { healthy: true, version: '1.2.3' } } },
      message: `child instance ${name} succeeded`,
    });
    expect(task(done, 'deploy')?.worker).toBeUndefined();
    expect(task(done, 'announce')?.output).toMatchObject({ result: { shipped: '1.2.3' } });
    const child = await env.getInstance(name);
    expect(child.spec).toEqual({
      dagRef: { name: 'rollout' },
      vars: { version: '1.2.3', cluster: 'eu' },
    });
    expect(child.status?.phase).toBe('Succeeded');
    expect(child.metadata.labels).toMatchObject({
      'fastflow.io/parent': 'ship-1',
      'fastflow.io/parent-task': 'deploy',
      'fastflow.io/parent-attempt': '1',
      'fastflow.io/depth': '1',
    });
    // Deleting the parent deletes the child: Kubernetes' garbage collector follows this reference.
    expect(child.metadata['ownerReferences']).toEqual([
      {
        apiVersion: 'fastflow.io/v1alpha1',
        kind: 'DagInstance',
        name: 'ship-1',
        uid: done.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(await env.instanceNames()).toEqual(['ship-1', name]);
    // The parent's tree shows the child's tasks under the task that ran it.
    const tree = await plugin(['tree', 'ship-1', '-n', env.namespace]);
    expect(tree.code).toBe(0);
    const ids = tree.stdout.split('\n').map((l) => l.replace(/^[\s│├└─]+/, '').split(/\s+/)[0]);
    expect(ids.slice(1, 6)).toEqual([
      'build',
      'deploy',
      'deploy/apply',
      'deploy/verify',
      'announce',
    ]);
    const get = await plugin(['get', 'ship-1', '-n', env.namespace]);
    expect(get.stdout).toMatch(/deploy\/verify\s+Succeeded/);
  });

  it('holds no worker slot while its child runs, and fails (then retries) as the child fails', async () => {
    await env.createDag(
      'wrap-hold-retry',
      wrap('hold', { retry: { limit: 1, backoff: { seconds: 0 } } }),
    );
    await env.createInstance('retry-1', 'wrap-hold-retry');
    const first = childInstanceName('retry-1', 'run', 1);
    const running = await env.waitForInstance(
      'retry-1',
      (i) => task(i, 'run')?.message === `running child instance ${first} (Dag hold)`,
    );
    expect(task(running, 'run')).toMatchObject({ phase: 'Running', reason: 'ChildRunning' });
    expect(task(running, 'run')?.worker).toBeUndefined();
    // The child fails: a rejected payload is not possible on a wait, so cancel it by hand.
    await env.kubectl(['annotate', '-n', env.namespace, 'dagi', first, 'fastflow.io/cancel=now']);
    const second = childInstanceName('retry-1', 'run', 2);
    const retried = await env.waitForInstance(
      'retry-1',
      (i) => task(i, 'run')?.attempt === 2 && task(i, 'run')?.phase === 'Running',
    );
    expect(task(retried, 'run')?.history?.[0]).toMatchObject({
      attempt: 1,
      phase: 'Failed',
      reason: 'ChildFailed',
    });
    expect(task(retried, 'run')?.history?.[0]?.message).toMatch(
      new RegExp(`^child instance ${first} Canceled`),
    );
    await env.waitForInstance(second, (i) => i.status?.tasks?.['gate']?.reason === 'Waiting');
    await env.kubectl(['annotate', '-n', env.namespace, 'dagi', second, 'fastflow.io/cancel=now']);
    const failed = await env.finished('retry-1');
    expect(failed.status?.phase).toBe('Failed');
    expect(task(failed, 'run')).toMatchObject({
      phase: 'Failed',
      reason: 'ChildFailed',
      attempt: 2,
    });
  });

  /** An instance of wrap-hold whose child waits; `cancel` is the value set on the parent. */
  async function canceled(name: string, cancel: string): Promise<DagInstance> {
    await env.createInstance(name, 'wrap-hold');
    const child = childInstanceName(name, 'run', 1);
    await env.waitForInstance(child, (i) => i.status?.tasks?.['gate']?.reason === 'Waiting');
    const set = `fastflow.io/cancel=${cancel}`;
    await env.kubectl(['annotate', '-n', env.namespace, 'dagi', name, set]);
    const ended = await env.finished(child);
    expect(ended.status?.phase).toBe('Canceled');
    expect(ended.metadata.annotations?.['fastflow.io/cancel']).toBe('by-parent');
    return env.finished(name);
  }

  it('cancels its child when the parent is canceled', async () => {
    expect((await canceled('cancel-1', '1')).status?.phase).toBe('Canceled');
  });

  it('cancels its child when the task alone is canceled', async () => {
    const parent = await canceled('cancel-2', '1:run');
    expect(task(parent, 'run')).toMatchObject({ phase: 'Canceled', reason: 'Canceled' });
  });

  it('takes a large output by reference, and the task after reads it', async () => {
    const fill = 'x'.repeat(3000);
    await env.createDag('big', {
      tasks: [
        { id: 'big', actionName: 'transform', params: { queryExpression: '{fill: .f}', f: fill } },
      ],
    });
    await env.createDag('wrap-big', {
      tasks: [
        { id: 'run', type: 'subDag', subDag: { dagName: 'big' } },
        {
          id: 'size',
          actionName: 'transform',
          dependOn: ['run'],
          params: {
            queryExpression: '{n: (.f | length)}',
            f: '{{tasks.run.output.big.result.fill}}',
          },
        },
      ],
    });
    await env.createInstance('big-1', 'wrap-big');
    const done = await env.finished('big-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(task(done, 'run')?.output).toBeUndefined();
    expect(task(done, 'run')?.outputRef).toMatch(/^big-1-/);
    expect(task(done, 'size')?.output).toMatchObject({ result: { n: 3000 } });
  });

  it('fails clearly when its Dag does not exist', async () => {
    await env.createDag('wrap-missing', wrap('no-such-dag'));
    await env.createInstance('missing-1', 'wrap-missing');
    const done = await env.finished('missing-1');
    expect(done.status?.phase).toBe('Failed');
    expect(task(done, 'run')).toMatchObject({
      phase: 'Failed',
      reason: 'SubDagMissing',
      message: 'subDag: Dag "no-such-dag" does not exist in this namespace',
    });
    expect(await env.instanceNames()).not.toContain(childInstanceName('missing-1', 'run', 1));
  });

  it('a Dag that runs itself as a sub-DAG is invalid', async () => {
    await env.createDag('ouroboros', wrap('ouroboros'));
    const status = await env.dagStatus('ouroboros');
    expect(status['valid']).toBe(false);
    expect(status['message']).toBe(
      'spec.tasks[0].subDag.dagName: Dag "ouroboros" runs itself as a sub-DAG: ouroboros -> ouroboros',
    );
  });
});

describe("the child's result reaches the parent across operator restarts", () => {
  it('killed while the child runs, and again the moment it has ended', async () => {
    await env.createInstance('restart-1', 'wrap-hold');
    const child = childInstanceName('restart-1', 'run', 1);
    await env.waitForInstance(child, (i) => i.status?.tasks?.['gate']?.reason === 'Waiting');
    operator.kill('SIGKILL');
    // Signaled while no operator runs: the annotation waits for the next one.
    const sent = signal(child, '{"n":7}');
    operator = env.startOperator('operator-b');
    expect((await sent).code).toBe(0);
    await env.waitForInstance(child, (i) => i.status?.phase === 'Succeeded');
    // The child is done; the operator dies before or after telling the parent, whichever came first.
    operator.kill('SIGKILL');
    operator = env.startOperator('operator-c');
    const done = await env.finished('restart-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(task(done, 'run')).toMatchObject({
      phase: 'Succeeded',
      output: { after: { result: { got: 7 } } },
    });
    // One child only: a restart never makes a second.
    const children = (await env.instanceNames()).filter((n) => n.startsWith('restart-1-'));
    expect(children).toEqual([child]);
  });
});
