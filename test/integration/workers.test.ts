import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTION_SCHEMAS_ANNOTATION,
  ACTION_SCHEMAS_KEY,
  ACTION_SCHEMAS_LABEL,
} from '../../operator/api/action-schemas.ts';
import { WORKER_LEASE_LABEL } from '../../operator/api/names.ts';
import { isNotFound } from '../../operator/kube/errors.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

const rareModule = fileURLToPath(new URL('../support/actions/rare.ts', import.meta.url));
let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('workers'));
  // Dead workers' Leases, and action schemas no Lease names, are collected after one second.
  env.startOperator('operator-a', { env: { FASTFLOW_WORKER_LEASE_GC_SECS: '1' } });
  env.startWorker('plain-1');
  env.startWorker('plain-2');
});
afterAll(async () => env.stop());

describe('workers', () => {
  it('§13.10 holds a task whose action no live worker has, naming it, and runs it when such a worker starts', async () => {
    await env.createDag('needs-rare', {
      tasks: [
        { id: 'first', actionName: 'print' },
        { id: 'special', actionName: 'rare', dependOn: ['first'] },
      ],
    });
    await env.createInstance('needs-rare-1', 'needs-rare');
    const waiting = await env.waitForInstance(
      'needs-rare-1',
      (i) => i.status?.tasks?.['special']?.reason === 'NoWorkerForAction',
    );
    expect(waiting.status?.phase).toBe('Running');
    expect(waiting.status?.tasks?.['special']).toMatchObject({ phase: 'Pending' });
    expect(waiting.status?.tasks?.['special']?.message).toContain('action "rare"');
    expect(waiting.status?.message).toContain('"rare"');

    env.startWorker('rare-worker', { actions: [rareModule] });
    const done = await env.finished('needs-rare-1', 30_000);
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['special']?.worker).toMatch(/^rare-worker-/);
  });

  it('§13.1 runs a task again elsewhere when its worker is killed with -9 mid-task', async () => {
    const victim = env.startWorker('victim', { concurrency: 4 });
    // The victim must be live for the operator before the work is spread.
    await env.workerInUse('victim');
    // As wide as every worker's slots: the wave packs onto few workers, but this one fills them all.
    const naps = Array.from({ length: await env.workerSlots() }, (_, i) => `nap-${i}`);
    await env.createDag('slow', {
      tasks: [
        ...naps.map((id) => ({ id, actionName: 'sleep', params: { seconds: 4 } })),
        { id: 'after', actionName: 'print', dependOn: naps },
      ],
    });
    await env.createInstance('slow-1', 'slow');
    const running = await env.waitForInstance('slow-1', (i) =>
      Object.values(i.status?.tasks ?? {}).some(
        (t) => t.phase === 'Running' && t.worker?.startsWith('victim-'),
      ),
    );
    const [victimTask, entry] = Object.entries(running.status?.tasks ?? {}).find(([, t]) =>
      t.worker?.startsWith('victim-'),
    ) ?? ['', undefined];
    victim.kill('SIGKILL');

    const done = await env.finished('slow-1', 60_000);
    expect(done.status?.phase).toBe('Succeeded');
    const rerun = (await env.wholeInstance('slow-1')).status?.tasks?.[victimTask];
    expect(rerun).toMatchObject({ phase: 'Succeeded', attempt: (entry?.attempt ?? 1) + 1 });
    expect(rerun?.worker).not.toBe(entry?.worker);
    expect(rerun?.message).toContain(`worker ${entry?.worker} was lost`);
    // The dead worker's Lease is deleted: nobody will renew it again.
    for (let i = 0; i < 100 && (await env.liveWorkers()).includes(entry?.worker ?? ''); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await env.liveWorkers()).not.toContain(entry?.worker);
  });

  it('deletes the action schemas no worker Lease names, and keeps those the workers name', async () => {
    const core = testKubeConfig().makeApiClient(CoreV1Api);
    const namespace = env.namespace;
    const exists = (name: string): Promise<boolean> =>
      core.readNamespacedConfigMap({ namespace, name }).then(
        () => true,
        (e: unknown) => (isNotFound(e) ? false : Promise.reject(e as Error)),
      );
    // What a worker of a version long gone left behind.
    const orphan = 'fastflow-actions-0123456789abcdef';
    await core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: { name: orphan, labels: { [ACTION_SCHEMAS_LABEL]: '' } },
        immutable: true,
        data: { [ACTION_SCHEMAS_KEY]: '{}' },
      },
    });
    for (let i = 0; i < 300 && (await exists(orphan)); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await exists(orphan)).toBe(false);
    const leases = await env.coordination.listNamespacedLease({
      namespace,
      labelSelector: WORKER_LEASE_LABEL,
    });
    const named = leases.items.flatMap(
      (l) => l.metadata?.annotations?.[ACTION_SCHEMAS_ANNOTATION] ?? [],
    );
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(await exists(name), name).toBe(true);
  });
});
