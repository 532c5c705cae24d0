// Dag snapshots (ControllerRevisions) that no instance references are
// deleted by the operator; referenced ones stay.
import { AppsV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAG_INSTANCE, GROUP, VERSION } from '../../operator/api/names.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

const apps = testKubeConfig().makeApiClient(AppsV1Api);
let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('revision-gc'));
  env.startOperator('operator-a', { env: { FASTFLOW_REVISION_GC_SECS: '1' } });
  env.startWorker('worker');
});
afterAll(async () => env.stop());

/** Runs one instance of a new Dag to the end; returns the snapshot it ran. */
async function run(name: string): Promise<string> {
  await env.createDag(name, { tasks: [{ id: 'a', actionName: 'print', params: { v: name } }] });
  await env.createInstance(`${name}-1`, name);
  const done = await env.finished(`${name}-1`);
  expect(done.status?.phase).toBe('Succeeded');
  return done.status?.dagRevision ?? '';
}

async function snapshotExists(name: string): Promise<boolean> {
  return apps.readNamespacedControllerRevision({ namespace: env.namespace, name }).then(
    () => true,
    () => false,
  );
}

async function deleteInstance(name: string): Promise<void> {
  await env.custom.deleteNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    plural: DAG_INSTANCE.plural,
    namespace: env.namespace,
    name,
  });
}

async function gone(snapshot: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await snapshotExists(snapshot))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Dag snapshot ${snapshot} was not deleted; logs: ${env.logs}`);
}

describe('Dag snapshot collection', () => {
  it('deletes the snapshots no instance references and keeps the referenced ones', async () => {
    const first = await run('first');
    const kept = await run('kept');
    await deleteInstance('first-1');
    await gone(first);
    // `last` is younger than `kept`: the sweep that deletes it found `kept`
    // old enough too, and left it for its instance.
    const last = await run('last');
    await deleteInstance('last-1');
    await gone(last);
    expect(await snapshotExists(kept)).toBe(true);
    // The instance that references it still reads it.
    expect((await env.getInstance('kept-1')).status?.dagRevision).toBe(kept);
  });

  it('a new instance of a collected snapshot creates it again and runs', async () => {
    await env.createInstance('first-2', 'first');
    const done = await env.finished('first-2');
    expect(done.status?.phase).toBe('Succeeded');
    expect(await snapshotExists(done.status?.dagRevision ?? '')).toBe(true);
  });
});
