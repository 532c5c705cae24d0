/**
 * A switch at chain-hop speed (docs/architecture.md "A switch's branches"):
 * the first task of each branch is pre-assigned to the worker running the
 * switch's dependency; the worker evaluates the switch and starts the branch
 * it picks; the operator still decides the switch and voids a wrong start.
 */
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_VERSION,
  DAG_INSTANCE,
  GROUP,
  TASK_RESULT,
  VERSION,
} from '../../operator/api/names.ts';
import { ShareDataStore } from '../../operator/store/share-data.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

const module = (name: string): string =>
  fileURLToPath(new URL(`../support/actions/${name}.ts`, import.meta.url));
let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('switch-ahead'));
  env.startOperator('operator-a');
  env.startWorker('branchy', { actions: [module('data'), module('nap')] });
});
afterAll(async () => env.stop());

/** first (nap) -> route (switch on `expression`) -> prod | stage | dev (default). */
function routed(expression: string, napSeconds: number): Record<string, unknown> {
  const leaf = (id: string) => ({ id, actionName: 'echo', dependOn: ['route'], params: { id } });
  return {
    vars: { env: { defaultValue: 'prod' } },
    tasks: [
      { id: 'first', actionName: 'nap', params: { seconds: napSeconds } },
      {
        id: 'route',
        type: 'switch',
        dependOn: ['first'],
        switch: { expression, cases: { prod: ['prod'], staging: ['stage'] }, default: ['dev'] },
      },
      leaf('prod'),
      leaf('stage'),
      leaf('dev'),
    ],
  };
}

async function setShareData(instance: string, key: string, value: string): Promise<void> {
  const { metadata } = await env.getInstance(instance);
  const owner = {
    apiVersion: API_VERSION,
    kind: DAG_INSTANCE.kind,
    name: instance,
    uid: metadata.uid ?? '',
  };
  const store = new ShareDataStore(testKubeConfig().makeApiClient(CoreV1Api));
  await store.set({ namespace: env.namespace, name: instance }, owner, key, value);
}

/** Polls the workers' TaskResults of `instance` until one holds a report of `key`. */
async function reported(instance: string, key: string): Promise<void> {
  const api = testKubeConfig().makeApiClient(CustomObjectsApi);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const list = (await api.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: env.namespace,
      plural: TASK_RESULT.plural,
    })) as { items: Array<{ spec?: { instance?: string; results?: Record<string, unknown> } }> };
    if (list.items.some((r) => r.spec?.instance === instance && r.spec.results?.[key])) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no TaskResult of ${instance} reported ${key}`);
}

describe('a switch looked past on the control plane', () => {
  it('runs the chosen branch on the worker of its dependency; the others are Skipped', async () => {
    await env.createDag('ahead', routed('vars.env', 1));
    await env.createInstance('ahead-1', 'ahead', { env: 'staging' });
    // While first runs, each branch's first task waits behind it on its worker.
    const waiting = await env.waitForInstance(
      'ahead-1',
      (i) => i.status?.tasks?.['dev'] !== undefined,
    );
    const worker = waiting.status?.tasks?.['first']?.worker;
    expect(waiting.status?.tasks?.['stage']).toMatchObject({
      phase: 'Scheduled',
      worker,
      after: 'first@1',
      afterCase: { switch: 'route', cases: ['staging'] },
    });
    const done = await env.finished('ahead-1');
    const tasks = done.status?.tasks ?? {};
    expect(done.status?.phase).toBe('Succeeded');
    expect(tasks['route']?.output).toEqual({
      selectedCase: 'staging',
      evaluationResult: 'staging',
    });
    expect(tasks['stage']).toMatchObject({
      phase: 'Succeeded',
      attempt: 1,
      worker,
      output: { id: 'stage' },
    });
    expect(tasks['stage']?.voided).toBeUndefined();
    expect(tasks['stage']?.afterCase).toBeUndefined();
    for (const id of ['prod', 'dev']) {
      expect(tasks[id]).toMatchObject({ phase: 'Skipped', reason: 'BranchNotTaken', voided: 1 });
      expect(tasks[id]?.startedAt).toBeUndefined();
    }
  });

  it('voids the branch a worker started when the operator picks another, and runs the right one', async () => {
    await env.createDag('turned', routed('shareData.mode', 2));
    await env.createInstance('turned-1', 'turned');
    await setShareData('turned-1', 'mode', 'prod');
    await env.waitForInstance(
      'turned-1',
      (i) => i.status?.tasks?.['prod']?.afterCase !== undefined,
    );
    // No operator while first ends: the worker picks prod (share data says so) and runs it.
    const [operator] = env.processes;
    operator?.kill();
    await operator?.exited;
    await reported('turned-1', 'prod@1');
    // Share data changes before the operator decides the switch: it picks staging.
    await setShareData('turned-1', 'mode', 'staging');
    env.startOperator('operator-b');
    const done = await env.finished('turned-1');
    const tasks = done.status?.tasks ?? {};
    expect(done.status?.phase).toBe('Succeeded');
    expect(tasks['route']?.output).toMatchObject({ selectedCase: 'staging' });
    // prod's attempt is fenced out: its reports never folded, the task Skipped.
    expect(tasks['prod']).toMatchObject({ phase: 'Skipped', reason: 'BranchNotTaken', voided: 1 });
    expect(tasks['prod']?.output).toBeUndefined();
    expect(tasks['stage']).toMatchObject({
      phase: 'Succeeded',
      attempt: 1,
      output: { id: 'stage' },
    });
    expect(tasks['stage']?.worker).toBe(tasks['first']?.worker);
    expect(tasks['dev']).toMatchObject({ phase: 'Skipped', voided: 1 });
  });
});
