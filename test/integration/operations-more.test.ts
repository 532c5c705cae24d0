/**
 * Pause / resume, restart, rerun (with vars), skip and idempotent start on
 * the real control plane, through kubectl, the SDK client and the plugin:
 * what each does, how each is refused, and the Event each leaves.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastflowClient, FastflowClientError } from '../../actions-runtime/index.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { napping } from '../support/dags.ts';
import { eventAbout } from '../support/events.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { home, plugin } from '../support/plugin-cli.ts';

let env: FastflowEnv;
let client: FastflowClient;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('ops-more'));
  env.startOperator('operator-a');
  env.startWorker('worker');
  client = new FastflowClient(testKubeConfig(), { namespace: env.namespace });
  await env.createDag('nap', napping(5));
  await env.createDag('long', napping(60));
  await env.createDag('steps', {
    vars: { who: { defaultValue: 'world' } },
    tasks: [
      { id: 'a', actionName: 'print' },
      { id: 'b', actionName: 'print', dependOn: ['a'] },
      { id: 'c', actionName: 'print', dependOn: ['b'], params: { greet: '{{who}}' } },
    ],
  });
});
afterAll(async () => {
  await env.stop();
  rmSync(home, { recursive: true, force: true });
});

async function refusal(p: Promise<unknown>): Promise<FastflowClientError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(FastflowClientError);
  expect((e as FastflowClientError).reason).toBe('Refused');
  return e as FastflowClientError;
}

describe('pause and resume', () => {
  it('lets the running task finish, starts nothing new, and goes on when resumed', async () => {
    const name = await client.runDag('nap');
    await env.waitForInstance(name, (i) => i.status?.tasks?.['nap']?.phase === 'Running');
    const paused = await client.pause(name);
    expect(paused.message).toBe('pause: nothing new starts; nap finishes');
    const shown = await env.kubectl(['get', 'dagi', name, '--no-headers']);
    expect(shown.stdout).toMatch(new RegExp(`^${name}\\s+nap\\s+Paused\\s`));
    // The pass that folds nap's success is the one that would start `after`: it did not.
    const held = await env.waitForInstance(
      name,
      (i) => i.status?.tasks?.['nap']?.phase === 'Succeeded',
    );
    expect(held.status?.phase).toBe('Paused');
    // (Pre-assigned behind nap before the pause, it went back to Pending when the pause came.)
    expect(held.status?.tasks?.['after']?.phase ?? 'Pending').toBe('Pending');
    expect(held.status?.tasks?.['after']?.startedAt).toBeUndefined();
    expect(held.status?.conditions?.[0]).toMatchObject({ reason: 'Paused' });
    // Refusals: paused already; skip of a task that ran.
    const again = await refusal(client.pause(name));
    expect(again.message).toMatch(/^pause: the instance is already paused \(since /);
    const skip = await refusal(client.skip(name, ['nap']));
    expect(skip.message).toBe(
      'skip: only tasks that have not run (Pending or Blocked) can be skipped (nap is Succeeded)',
    );
    expect((await client.resume(name)).message).toBe('resume: nothing is held any more');
    expect((await client.waitFor(name, { timeoutMs: 30_000 })).status?.phase).toBe('Succeeded');
    await eventAbout(env.namespace, name, 'OperationApplied', 'pause: nothing new starts');
    await eventAbout(
      env.namespace,
      name,
      'OperationRefused',
      'pause: the instance is already paused',
    );
  });

  it('works with plain kubectl, each value once; resume of a running instance is refused', async () => {
    const name = await client.runDag('long');
    await env.waitForInstance(name, (i) => i.status?.tasks?.['nap']?.phase === 'Running');
    const resume = await refusal(client.resume(name));
    expect(resume.message).toBe('resume: the instance is not paused');
    await env.kubectl(['annotate', 'dagi', name, 'fastflow.io/pause=p1', '--overwrite']);
    const paused = await env.waitForInstance(
      name,
      (i) => i.status?.operations?.pause?.value === 'p1',
    );
    expect(paused.status?.operations?.pause?.result).toBe('Applied');
    await env.kubectl(['annotate', 'dagi', name, 'fastflow.io/resume=r1', '--overwrite']);
    await env.waitForInstance(name, (i) => i.status?.operations?.resume?.value === 'r1');
    await env.kubectl(['annotate', 'dagi', name, 'fastflow.io/pause=p2', '--overwrite']);
    await env.waitForInstance(name, (i) => i.status?.operations?.pause?.value === 'p2');
    // p1 again (a re-applied old manifest): refused, never a second pause.
    await env.kubectl(['annotate', 'dagi', name, 'fastflow.io/pause=p1', '--overwrite']);
    const old = await env.waitForInstance(name, (i) => i.status?.operations?.pause?.value === 'p1');
    expect(old.status?.operations?.pause).toMatchObject({ result: 'Refused' });
    expect(old.status?.operations?.pause?.message).toContain('was acted on before');
    await client.cancel(name);
    expect((await client.waitFor(name, { timeoutMs: 30_000 })).status?.phase).toBe('Canceled');
  });
});

describe('restart, rerun, skip', () => {
  it('restarts a finished instance from scratch', async () => {
    const name = await client.runDag('steps');
    await client.waitFor(name, { timeoutMs: 30_000 });
    expect((await client.restart(name)).message).toBe('restart: every task runs again (3 had run)');
    const done = await env.waitForInstance(
      name,
      (i) => i.status?.phase === 'Succeeded' && i.status.tasks?.['c']?.attempt === 2,
    );
    expect(done.status?.tasks?.['a']).toMatchObject({ phase: 'Succeeded', attempt: 2 });
    await eventAbout(env.namespace, name, 'OperationApplied', 'restart: every task runs again');
  });

  it('reruns from a middle task with a new var, through the plugin', async () => {
    const name = await client.runDag('steps');
    await client.waitFor(name, { timeoutMs: 30_000 });
    const r = await plugin(['rerun', name, 'b', '--var', 'who=again', '-n', env.namespace]);
    expect(r).toEqual({
      code: 0,
      stdout: `daginstance/${name}: rerun applied: b and 1 task(s) after it run again with who set\n`,
      stderr: '',
    });
    const done = await env.waitForInstance(
      name,
      (i) => i.status?.phase === 'Succeeded' && i.status.tasks?.['c']?.attempt === 2,
    );
    expect(done.status?.tasks?.['a']?.attempt).toBe(1);
    expect(done.status?.tasks?.['b']?.attempt).toBe(2);
    expect(done.status?.tasks?.['c']?.params).toEqual({ greet: 'again' });
    expect(done.status?.rerunVars).toEqual({ who: 'again' });
    const unknown = await plugin(['rerun', name, 'nope', '-n', env.namespace]);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: `error: daginstance/${name}: rerun refused by the operator: no task nope in this Dag\n`,
    });
    const undeclared = await refusal(client.rerun(name, 'b', { vars: { zone: 'x' } }));
    expect(undeclared.message).toBe('rerun: var zone not declared by the Dag (declared: who)');
    await eventAbout(env.namespace, name, 'OperationRefused', 'rerun: no task nope in this Dag');
  });

  it('refuses a restart while a task runs; skips a task that has not run', async () => {
    const name = await client.runDag('nap');
    await env.waitForInstance(name, (i) => i.status?.tasks?.['nap']?.phase === 'Running');
    const running = await refusal(client.restart(name));
    expect(running.message).toMatch(/^restart: nap still running: wait for it/);
    const skip = await plugin(['skip', name, 'after', '-n', env.namespace]);
    expect(skip).toMatchObject({ code: 0, stdout: `daginstance/${name}: skip applied: after\n` });
    const done = await client.waitFor(name, { timeoutMs: 30_000 });
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['after']).toMatchObject({
      phase: 'Skipped',
      reason: 'SkipRequested',
    });
  });
});

describe('idempotent start', () => {
  it('returns the one instance a key started, however often and concurrently asked', async () => {
    const [x, y] = await Promise.all([
      client.startDag('steps', {}, { idempotencyKey: 'order-17' }),
      client.startDag('steps', {}, { idempotencyKey: 'order-17' }),
    ]);
    expect(x?.name).toBe(y?.name);
    expect([x?.created, y?.created].sort()).toEqual([false, true]);
    const r = await plugin(['run', 'steps', '--idempotency-key', 'order-17', '-n', env.namespace]);
    expect(r.stdout).toBe(
      `daginstance.fastflow.io/${x?.name} unchanged (idempotency key used before)\n`,
    );
    const list = await env.kubectl(['get', 'dagi', '-o', 'name']);
    expect(list.stdout.split('\n').filter((l) => l.includes(x?.name ?? '?'))).toHaveLength(1);
    const other = await client.startDag('steps', {}, { idempotencyKey: 'order-18' });
    expect(other).toMatchObject({ created: true });
    expect(other.name).not.toBe(x?.name);
  });
});
