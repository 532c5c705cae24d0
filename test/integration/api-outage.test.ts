import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DagInstance } from '../../operator/api/objects.ts';
import { startControlPlane, type ControlPlane } from '../local-cluster/control-plane.ts';
import type { FastflowProcess } from '../local-cluster/fastflow-process.ts';
import { installCrds } from '../local-cluster/kubectl.ts';
import { testBinDir, testKubeConfig } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

// Its own control plane: this file kills kube-apiserver, which the other files share.
let cp: ControlPlane;
const envs: FastflowEnv[] = [];

beforeAll(async () => {
  cp = await startControlPlane({ binDir: testBinDir(), log: () => {} });
  await installCrds(cp.binDir, cp.kubeconfigPath);
});
afterAll(async () => {
  for (const env of envs) await env.stop();
  await cp?.stop();
});

async function newEnv(name: string): Promise<FastflowEnv> {
  const core = testKubeConfig(cp.kubeconfigPath).makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name } } });
  const env = new FastflowEnv(name, cp.kubeconfigPath);
  envs.push(env);
  return env;
}

/** Records whether a process exited (it must not, in these tests). */
function watchExit(p: FastflowProcess): { exited: boolean } {
  const seen = { exited: false };
  void p.exited.then(() => (seen.exited = true));
  return seen;
}

const tasksOf = (i: DagInstance) => Object.entries(i.status?.tasks ?? {});

/**
 * Runs instances whose tasks are in flight through `outage`: every instance
 * must succeed with attempt 1 only, run by the same worker processes.
 */
async function throughOutage(namespace: string, outage: () => Promise<void>): Promise<void> {
  const env = await newEnv(namespace);
  // The leader rides out the outage here, so that its judgement of the workers is what
  // is tested (with the default 10 s renew deadline it would exit and a fresh one,
  // without stale clocks, would take over).
  const operator = env.startOperator('operator-a', {
    env: {
      FASTFLOW_LEASE_DURATION_SECS: '60',
      FASTFLOW_RENEW_DEADLINE_SECS: '45',
      FASTFLOW_RETRY_PERIOD_SECS: '1',
    },
  });
  const workers = [
    env.startWorker('steady-a', { concurrency: 8 }),
    env.startWorker('steady-b', { concurrency: 8 }),
  ];
  const exits = [operator, ...workers].map(watchExit);
  await env.workerInUse('steady-a');
  await env.workerInUse('steady-b');
  const leasesBefore = (await env.liveWorkers()).sort();

  // `short` finishes during the outage (its report waits), `long` after it.
  await env.createDag('through', {
    tasks: [
      { id: 'short', actionName: 'sleep', params: { seconds: 8 } },
      { id: 'long', actionName: 'sleep', params: { seconds: 30 } },
      { id: 'after', actionName: 'print', dependOn: ['short', 'long'] },
    ],
  });
  const names = ['run-1', 'run-2', 'run-3', 'run-4'];
  for (const name of names) await env.createInstance(name, 'through');
  for (const name of names) {
    await env.waitForInstance(name, (i) =>
      ['short', 'long'].every((t) => i.status?.tasks?.[t]?.phase === 'Running'),
    );
  }

  await outage();

  for (const name of names) {
    const done = await env.finished(name, 120_000);
    expect(done.status?.phase, name).toBe('Succeeded');
    for (const [id, t] of tasksOf(done)) {
      expect({ id, attempt: t.attempt, history: t.history ?? [] }, name).toEqual({
        id,
        attempt: 1,
        history: [],
      });
      expect(leasesBefore, `${name}/${id}`).toContain(t.worker);
    }
  }
  // The same processes throughout: nobody gave up, nobody was replaced.
  expect(exits.map((e) => e.exited)).toEqual([false, false, false]);
  expect((await env.liveWorkers()).sort()).toEqual(leasesBefore);
}

describe('an API server outage', () => {
  it('costs no in-flight task and no extra attempt: kube-apiserver down for 15 s, longer than a worker Lease (2 s)', async () => {
    await throughOutage('apiserver-outage', () => cp.restartApiServer({ downMs: 15_000 }));
  }, 300_000);

  it('nor does an etcd restart (15 s down): the API server stays up, its watches go quiet', async () => {
    await throughOutage('etcd-outage', () => cp.restartEtcd({ downMs: 15_000 }));
  }, 300_000);

  it('still replaces a worker cut off alone (SIGSTOP past its Lease) and refuses its late result', async () => {
    const env = await newEnv('cut-off');
    env.startOperator('operator-a');
    const victim = env.startWorker('victim', { concurrency: 2 });
    await env.workerInUse('victim');
    await env.createDag('nap', {
      tasks: [{ id: 'nap', actionName: 'sleep', params: { seconds: 8 } }],
    });
    await env.createInstance('run', 'nap');
    const running = await env.waitForInstance(
      'run',
      (i) => i.status?.tasks?.['nap']?.phase === 'Running',
    );
    const lost = running.status?.tasks?.['nap']?.worker ?? '';
    expect(lost).toMatch(/^victim-/);
    env.startWorker('rescuer', { concurrency: 2 });
    await env.workerInUse('rescuer');

    victim.kill('SIGSTOP');
    const handedOn = await env.waitForInstance(
      'run',
      (i) => (i.status?.tasks?.['nap']?.attempt ?? 1) > 1,
    );
    victim.kill('SIGCONT');
    // The victim wakes up, learns its attempt is gone, and ends it; its report is refused.
    const victimLog = join(env.logs, 'victim.log');
    await until(() =>
      /"task":"nap","attempt":1[^\n]*"msg":"attempt finished"/.test(
        readFileSync(victimLog, 'utf8'),
      ),
    );

    const done = await env.finished('run', 60_000);
    expect(done.status?.phase).toBe('Succeeded');
    const nap = done.status?.tasks?.['nap'];
    expect(nap).toMatchObject({ phase: 'Succeeded', attempt: 2 });
    expect(nap?.worker).toBe(handedOn.status?.tasks?.['nap']?.worker);
    expect(nap?.worker).toMatch(/^rescuer-/);
    expect(nap?.history?.[0]).toMatchObject({ attempt: 1, worker: lost, reason: 'WorkerLost' });
  }, 180_000);
});

async function until(cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 100));
  }
}
