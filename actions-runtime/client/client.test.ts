import { describe, expect, it } from 'vitest';
import { fakeCluster, instance, rejection } from '../../test/support/fake-client-cluster.ts';
import { transitionOf } from './client.ts';

const dag = (spec: Record<string, unknown>, status?: Record<string, unknown>) => ({
  apiVersion: 'fastflow.io/v1alpha1',
  kind: 'Dag',
  metadata: { name: 'deploy', namespace: 'team-a' },
  spec,
  ...(status ? { status } : {}),
});
const DEPLOY = dag({
  vars: { cluster: { defaultValue: 'dev' } },
  tasks: [{ id: 'a', actionName: 'print' }],
});

describe('FastflowClient.runDag', () => {
  it('creates an instance with a generated <dag>- name in the context namespace', async () => {
    const { client, calls } = fakeCluster({ 'dags/team-a/deploy': DEPLOY });
    expect(client.namespace).toBe('team-a');
    const name = await client.runDag('deploy', { cluster: 'prod' }, { activeDeadlineSeconds: 60 });
    expect(name).toBe('deploy-x7k2p');
    const create = calls.find((c) => c.verb === 'create');
    expect(create?.args).toMatchObject({
      group: 'fastflow.io',
      plural: 'daginstances',
      namespace: 'team-a',
      body: {
        apiVersion: 'fastflow.io/v1alpha1',
        kind: 'DagInstance',
        metadata: { generateName: 'deploy-' },
        spec: { dagRef: { name: 'deploy' }, vars: { cluster: 'prod' }, activeDeadlineSeconds: 60 },
      },
    });
  });

  it('uses the given name and namespace', async () => {
    const { client, calls } = fakeCluster({ 'dags/other/deploy': DEPLOY });
    expect(await client.runDag('deploy', {}, { namespace: 'other', name: 'deploy-42' })).toBe(
      'deploy-42',
    );
    expect(calls.at(-1)?.args).toMatchObject({
      namespace: 'other',
      body: { metadata: { name: 'deploy-42' } },
    });
  });

  it('refuses a Dag that does not exist, naming it, before creating anything', async () => {
    const { client, calls } = fakeCluster();
    const e = await rejection(client.runDag('nope'));
    expect(e.reason).toBe('NotFound');
    expect(e.message).toBe('Dag "nope" not found in namespace "team-a"');
    expect(calls.some((c) => c.verb === 'create')).toBe(false);
  });

  it('refuses a stopped Dag, an invalid graph and undeclared vars', async () => {
    const { client, calls } = fakeCluster({
      'dags/team-a/stopped': dag({ status: 'stopped', tasks: [{ id: 'a', actionName: 'p' }] }),
      'dags/team-a/cyclic': dag({
        tasks: [
          { id: 'a', actionName: 'p', dependOn: ['b'] },
          { id: 'b', actionName: 'p', dependOn: ['a'] },
        ],
      }),
      'dags/team-a/deploy': DEPLOY,
    });
    expect((await rejection(client.runDag('stopped'))).message).toMatch(/stopped/);
    expect((await rejection(client.runDag('cyclic'))).message).toMatch(
      /Dag "cyclic" cannot run: spec.tasks: tasks form a cycle/,
    );
    const vars = await rejection(client.runDag('deploy', { clutser: 'x' }));
    expect(vars.reason).toBe('Invalid');
    expect(vars.message).toContain('"clutser" not declared by the Dag (declared: cluster)');
    expect(calls.some((c) => c.verb === 'create')).toBe(false);
  });

  it('refuses malformed names and values without calling the API', async () => {
    const { client, calls } = fakeCluster({ 'dags/team-a/deploy': DEPLOY });
    expect((await rejection(client.runDag('Deploy_Prod'))).message).toMatch(
      /Dag name "Deploy_Prod"/,
    );
    expect((await rejection(client.runDag('deploy', {}, { name: 'A B' }))).reason).toBe('Invalid');
    const deadline = await rejection(client.runDag('deploy', {}, { activeDeadlineSeconds: 0 }));
    expect(deadline.message).toMatch(/spec.activeDeadlineSeconds/);
    expect(calls).toEqual([]);
  });
});

describe('FastflowClient.get and operations', () => {
  it('reads an instance by name, namespace/name or ref, and names a missing one', async () => {
    const { client } = fakeCluster({ 'daginstances/team-a/run-1': instance({ phase: 'Running' }) });
    expect((await client.get('run-1')).status?.phase).toBe('Running');
    expect((await client.get('team-a/run-1')).metadata.name).toBe('run-1');
    expect((await client.get({ name: 'run-1' })).spec.dagRef.name).toBe('deploy');
    const e = await rejection(client.get('team-b/run-1'));
    expect(e.reason).toBe('NotFound');
    expect(e.message).toBe('DagInstance "run-1" in namespace "team-b" not found');
  });

  it('sets the annotation to a fresh token with the task list, conditioned on resourceVersion', async () => {
    const { client, calls } = fakeCluster({ 'daginstances/team-a/run-1': instance() });
    const v1 = await client.retry('run-1', ['a', 'b', 'a'], { wait: false });
    const v2 = await client.cancel('run-1', undefined, { wait: false });
    expect(v1).toMatch(/^[0-9a-z]+:a,b$/);
    expect(v2).toMatch(/^[0-9a-z]+$/);
    const patches = calls.filter((c) => c.verb === 'patch').map((c) => c.args['body']);
    expect(patches).toEqual([
      { metadata: { resourceVersion: '7', annotations: { 'fastflow.io/retry': v1 } } },
      { metadata: { resourceVersion: '7', annotations: { 'fastflow.io/cancel': v2 } } },
    ]);
  });

  it('refuses bad task ids and unknown instances', async () => {
    const { client, calls } = fakeCluster({ 'daginstances/team-a/run-1': instance() });
    const bad = await rejection(client.continue('run-1', ['ok', 'a,b'], { wait: false }));
    expect(bad.message).toBe('continue: "a,b" is not a task id');
    const missing = await rejection(client.cancel('ghost'));
    expect(missing.message).toBe('DagInstance "ghost" in namespace "team-a" not found');
    expect(calls.filter((c) => c.verb === 'patch')).toEqual([]);
  });

  it('does not overwrite an operation another client set that the operator has not acted on', async () => {
    const pending = instance();
    pending.metadata.annotations = { 'fastflow.io/cancel': 'theirs' };
    const { client, calls } = fakeCluster({ 'daginstances/team-a/run-1': pending });
    const e = await rejection(client.cancel('run-1', [], { wait: false, timeoutMs: 300 }));
    expect(e.reason).toBe('Timeout');
    expect(e.message).toContain('fastflow.io/cancel=theirs set by someone else');
    expect(calls.filter((c) => c.verb === 'patch')).toEqual([]);
  });
});

describe('transitionOf', () => {
  const at = '2026-01-01T00:00:00.000Z';

  it('reports instance and task phase changes with the fastflow hook names', () => {
    const t = transitionOf(
      instance({ phase: 'Pending' }),
      instance({ phase: 'Running', tasks: { a: { phase: 'Running' } } }),
    );
    expect(t).toMatchObject({
      from: 'Pending',
      to: 'Running',
      tasks: [{ task: 'a', from: 'Pending', to: 'Running' }],
      hooks: ['BeforeRun'],
    });
  });

  it('reports no change for an entry that moved into a shard', () => {
    const t = transitionOf(
      instance({ phase: 'Running', tasks: { a: { phase: 'Succeeded' }, b: { phase: 'Running' } } }),
      instance({ phase: 'Running', shards: 1, tasks: { b: { phase: 'Succeeded' } } }),
    );
    expect(t?.tasks).toEqual([{ task: 'b', from: 'Running', to: 'Succeeded' }]);
  });

  it('maps Succeeded, Failed, Canceled and Blocked', () => {
    const running = instance({ phase: 'Running' });
    expect(transitionOf(running, instance({ phase: 'Succeeded' }))?.hooks).toEqual([
      'BeforeSuccess',
    ]);
    expect(transitionOf(running, instance({ phase: 'Failed' }))?.hooks).toEqual(['BeforeFail']);
    expect(transitionOf(running, instance({ phase: 'Canceled' }))?.hooks).toEqual(['BeforeFail']);
    expect(transitionOf(running, instance({ phase: 'Blocked' }))?.hooks).toEqual(['BeforeBlock']);
  });

  it('reports retry and continue operations applied, and a task Retrying', () => {
    const retried = transitionOf(
      instance({ phase: 'Failed', tasks: { a: { phase: 'Failed' } } }),
      instance({
        phase: 'Running',
        tasks: { a: { phase: 'Pending', attempt: 1 } },
        operations: { retry: { value: 'r1', result: 'Applied', message: 'retry: a', at } },
      }),
    );
    expect(retried?.hooks).toEqual(['BeforeRetry']);
    expect(retried?.operations).toEqual([
      { name: 'retry', record: { value: 'r1', result: 'Applied', message: 'retry: a', at } },
    ]);
    const backoff = transitionOf(
      instance({ phase: 'Running', tasks: { a: { phase: 'Running' } } }),
      instance({ phase: 'Running', tasks: { a: { phase: 'Retrying' } } }),
    );
    expect(backoff?.hooks).toEqual(['BeforeRetry']);
    const continued = transitionOf(
      instance({ phase: 'Blocked' }),
      instance({
        phase: 'Running',
        operations: { continue: { value: 'c1', result: 'Applied', message: 'continue: a', at } },
      }),
    );
    expect(continued?.hooks).toEqual(['BeforeContinue']);
    const refused = transitionOf(
      instance({ phase: 'Failed' }),
      instance({
        phase: 'Failed',
        operations: { retry: { value: 'r2', result: 'Refused', message: 'no', at } },
      }),
    );
    expect(refused?.hooks).toEqual([]);
    expect(refused?.operations[0]?.record.result).toBe('Refused');
  });

  it('is undefined when nothing it reports changed, and from undefined on first sight', () => {
    const a = instance({ phase: 'Running', progress: '1/3', tasks: { a: { phase: 'Running' } } });
    const b = instance({
      phase: 'Running',
      progress: '1/3',
      tasks: { a: { phase: 'Running', startedAt: at } },
    });
    expect(transitionOf(a, b)).toBeUndefined();
    expect(transitionOf(undefined, a)).toMatchObject({
      from: undefined,
      to: 'Running',
      hooks: ['BeforeRun'],
    });
    expect(transitionOf(undefined, instance())).toMatchObject({ from: undefined, to: 'Pending' });
  });
});
