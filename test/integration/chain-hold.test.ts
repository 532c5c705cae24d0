/**
 * The operator holds back a status write that only moves a pre-assigned
 * chain its worker still has steps of (docs/architecture.md, "Chains at
 * in-process speed"). The test plays the worker by hand, so it decides when
 * each result lands: a result that waits unwritten must survive the
 * operator's death, and a cancel must go out with what was held.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AttemptReport } from '../../operator/core/task-report.ts';
import type { FastflowProcess } from '../local-cluster/fastflow-process.ts';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { scriptedWorker, type ScriptedWorker } from '../support/scripted-worker.ts';

/** Four steps ahead: a fold is held while two of them are still unstarted. */
const LOOK_AHEAD = { env: { FASTFLOW_CHAIN_LOOK_AHEAD: '4' } };
const STEPS = ['a', 'b', 'c', 'd', 'e', 'f'];
const WORKER = 'solo-aaaaa';

let env: FastflowEnv;
let operator: FastflowProcess;
let solo: ScriptedWorker;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('chain-hold'));
  operator = env.startOperator('operator-a', LOOK_AHEAD);
  solo = await scriptedWorker(env, WORKER);
  await env.createDag('hold', {
    tasks: STEPS.map((id, i) => ({
      id,
      actionName: 'print',
      ...(i > 0 ? { dependOn: [STEPS[i - 1]] } : {}),
    })),
  });
});
afterAll(async () => {
  solo.stop();
  await env.stop();
});

it('loses no result held unwritten when the operator dies, and writes the held steps with a cancel', async () => {
  await env.createInstance('hold-1', 'hold');
  const given = await env.waitForInstance('hold-1', (i) => i.status?.tasks?.['e']?.after === 'd@1');
  expect(given.status?.tasks?.['a']).toMatchObject({ phase: 'Scheduled', worker: WORKER });
  const ref = { namespace: env.namespace, name: 'hold-1', uid: given.metadata.uid ?? '' };
  const report = (task: string, event: AttemptReport['event'], set: AttemptReport['set']) =>
    solo.writer.report(ref, { task, worker: WORKER, attempt: 1, event, set });
  const aDone = new Date().toISOString();

  // a done, b running: c, d and e are still ahead of the worker, so the operator may hold this.
  const written = await Promise.all([
    report('a', 'AttemptStarted', { startedAt: aDone }),
    report('a', 'AttemptSucceeded', { finishedAt: aDone }),
    report('b', 'AttemptStarted', { startedAt: aDone }),
  ]);
  expect(written).toEqual([true, true, true]);
  operator.kill('SIGKILL');
  operator = env.startOperator('operator-b', LOOK_AHEAD);
  const folded = await env.waitForInstance(
    'hold-1',
    (i) => i.status?.tasks?.['b']?.phase === 'Running',
  );
  const a = folded.status?.tasks?.['a'];
  expect(a).toMatchObject({ phase: 'Succeeded', attempt: 1, worker: WORKER });
  expect(new Date(a?.finishedAt ?? 0).getTime()).toBe(new Date(aDone).getTime());

  // b done, c running (held again: d, e, f ahead), then a cancel: written with both.
  const bDone = new Date().toISOString();
  await Promise.all([
    report('b', 'AttemptSucceeded', { finishedAt: bDone }),
    report('c', 'AttemptStarted', { startedAt: bDone }),
  ]);
  await env.kubectl(['annotate', 'dagi', 'hold-1', 'fastflow.io/cancel=now']);
  const done = await env.finished('hold-1');
  expect(done.status?.phase).toBe('Canceled');
  expect(done.status?.operations?.cancel?.result).toBe('Applied');
  const tasks = done.status?.tasks ?? {};
  expect(tasks['b']).toMatchObject({ phase: 'Succeeded', attempt: 1 });
  expect(new Date(tasks['b']?.finishedAt ?? 0).getTime()).toBe(new Date(bDone).getTime());
  expect(tasks['c']).toMatchObject({ phase: 'Canceled', attempt: 1 });
  for (const id of ['a', 'b', 'c']) expect(tasks[id]?.history).toBeUndefined();
});
