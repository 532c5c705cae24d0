// Bad operation input and instances that cannot run, on the real control plane:
// each is refused or failed once, with the reason recorded, and never makes the
// operator write forever or wedges the instance.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchInstance } from '../../actions-runtime/client/wait.ts';
import { WORKER_LABEL_PREFIX } from '../../operator/api/names.ts';
import type { DagInstance } from '../../operator/api/objects.ts';
import { makeClients } from '../../operator/kube/client.ts';
import { silentLogger } from '../../operator/log.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { until } from '../support/until.ts';

const flaky = fileURLToPath(new URL('../support/actions/flaky.ts', import.meta.url));
let env: FastflowEnv;
let operator: ReturnType<FastflowEnv['startOperator']>;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('operation-faults'));
  operator = env.startOperator('operator-a');
  env.startWorker('worker', { actions: [flaky] });
});
afterAll(async () => env.stop());

const annotate = async (name: string, op: string, value: string): Promise<void> => {
  const r = await env.kubectl([
    'annotate',
    '--overwrite',
    'dagi',
    name,
    `fastflow.io/${op}=${value}`,
  ]);
  expect(r.code, r.stderr).toBe(0);
};

/**
 * Every version of the instance from now until `done` holds: a watch, so a
 * write the operator should not have made shows up as a version of its own.
 */
async function versionsUntil(
  name: string,
  act: () => Promise<void>,
  done: (i: DagInstance) => boolean,
): Promise<DagInstance[]> {
  const seen: DagInstance[] = [];
  const clients = makeClients(testKubeConfig(), { userAgent: 'operation-faults-test' });
  const ref = { namespace: env.namespace, name };
  const watching = watchInstance(
    clients,
    silentLogger(),
    ref,
    (i) => {
      if (!seen.some((s) => s.metadata.resourceVersion === i.metadata.resourceVersion))
        seen.push(i);
      return done(i) ? i : undefined;
    },
    { timeoutMs: 30_000 },
  );
  await until(() => seen.length > 0, 30_000);
  await act();
  await watching;
  return seen;
}

describe('an instance that failed to start', () => {
  it('records each operation once as refused, keeps its finish time, and is written no more', async () => {
    await env.createInstance('orphan-1', 'no-such-dag');
    const failed = await env.finished('orphan-1');
    expect(failed.status?.conditions?.[0]?.reason).toBe('DagNotFound');
    const finishTime = failed.status?.finishTime;

    await annotate('orphan-1', 'cancel', 'c1');
    const refused = await env.waitForInstance(
      'orphan-1',
      (i) => i.status?.operations?.cancel?.value === 'c1',
      20_000,
    );
    expect(refused.status?.operations?.cancel).toMatchObject({ result: 'Refused' });
    expect(refused.status?.operations?.cancel?.message).toContain('cannot run (DagNotFound: ');
    expect(refused.status?.finishTime).toBe(finishTime);

    // Asking a second operation: the versions seen are that annotation and its record, and
    // no write of the operator's between (each pass over its own write would be one).
    const versions = await versionsUntil(
      'orphan-1',
      () => annotate('orphan-1', 'retry', 'r1'),
      (i) => i.status?.operations?.retry?.value === 'r1',
    );
    const changes = versions.filter(
      (v) => v.metadata.resourceVersion !== refused.metadata.resourceVersion,
    );
    expect(changes.length, JSON.stringify(versions.map((v) => v.status))).toBeLessThanOrEqual(2);
    for (const v of versions) {
      expect(v.status?.finishTime).toBe(finishTime);
      expect(v.status?.operations?.cancel).toEqual(refused.status?.operations?.cancel);
    }
    expect(versions.at(-1)?.status?.operations?.retry).toMatchObject({ result: 'Refused' });
  });
});

describe('operation values', () => {
  it('a value too long to record is refused, and the instance still runs to the end', async () => {
    await env.createDag('pair', {
      tasks: [
        { id: 'a', actionName: 'flaky', params: { failAttempts: 0 } },
        { id: 'b', actionName: 'flaky', params: { failAttempts: 0 }, dependOn: ['a'] },
      ],
    });
    await env.createInstance('pair-1', 'pair');
    const long = `t1:${Array.from({ length: 100 }, (_, i) => `task-${i}-of-many`).join(',')}`;
    await annotate('pair-1', 'retry', long);
    // The two quick tasks may finish before the operator sees the annotation: the record may
    // come in the pass after the one that finished the instance.
    const done = await env.waitForInstance(
      'pair-1',
      (i) => i.status?.phase === 'Succeeded' && i.status.operations?.retry !== undefined,
      30_000,
    );
    expect(done.status?.operations?.retry?.result).toBe('Refused');
    expect(done.status?.operations?.retry?.message).toContain(
      `fastflow.io/retry is ${long.length} characters long, more than the 1024 accepted`,
    );
  });

  it('r1, r2, then r1 again: the second r1 is refused, the task is not run again', async () => {
    await env.createDag('always-fails', {
      tasks: [{ id: 'a', actionName: 'flaky', params: { failAttempts: 100 } }],
    });
    await env.createInstance('again-1', 'always-fails');
    await env.finished('again-1');
    for (const [value, attempt] of [
      ['r1', 2],
      ['r2', 3],
    ] as const) {
      await annotate('again-1', 'retry', value);
      const after = await env.waitForInstance(
        'again-1',
        (i) => i.status?.phase === 'Failed' && i.status.tasks?.['a']?.attempt === attempt,
      );
      expect(after.status?.operations?.retry).toMatchObject({ value, result: 'Applied' });
    }
    await annotate('again-1', 'retry', 'r1');
    const refused = await env.waitForInstance(
      'again-1',
      (i) => i.status?.operations?.retry?.value === 'r1',
    );
    expect(refused.status?.operations?.retry).toMatchObject({ result: 'Refused', earlier: ['r2'] });
    expect(refused.status?.operations?.retry?.message).toContain('was acted on before');
    expect(refused.status?.tasks?.['a']).toMatchObject({ phase: 'Failed', attempt: 3 });
    expect(refused.status?.phase).toBe('Failed');
  });
});

describe('an instance whose Dag snapshot is deleted while it runs', () => {
  it('fails with DagRevisionMissing, and so do its running tasks: no worker holds one', async () => {
    await env.createDag('long', {
      tasks: [{ id: 'nap', actionName: 'sleep', params: { seconds: 60 } }],
    });
    await env.createInstance('lost-1', 'long');
    const running = await env.waitForInstance(
      'lost-1',
      (i) => i.status?.tasks?.['nap']?.phase === 'Running',
    );
    // The running operator keeps snapshots it has read; a new leader reads it afresh.
    operator.kill('SIGKILL');
    await operator.exited;
    const revision = running.status?.dagRevision ?? '';
    const deleted = await env.kubectl(['delete', 'controllerrevision', revision]);
    expect(deleted.code, deleted.stderr).toBe(0);
    operator = env.startOperator('operator-b');

    const failed = await env.waitForInstance(
      'lost-1',
      (i) =>
        i.status?.phase === 'Failed' &&
        !Object.keys(i.metadata.labels ?? {}).some((l) => l.startsWith(WORKER_LABEL_PREFIX)),
      30_000,
    );
    expect(failed.status?.conditions?.find((c) => c.type === 'Succeeded')?.reason).toBe(
      'DagRevisionMissing',
    );
    expect(failed.status?.tasks?.['nap']).toMatchObject({
      phase: 'Failed',
      reason: 'DagRevisionLost',
      worker: running.status?.tasks?.['nap']?.worker,
    });
  });
});
