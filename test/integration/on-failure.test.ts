/**
 * spec.onFailure on the real control plane: a failed instance starts its
 * Dag's onFailure run once, with its details, records it and leaves an
 * Event; an operator restart after the failure starts no second run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.ts';
import { docDag } from '../support/doc-examples.ts';
import { eventAbout } from '../support/events.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

let env: FastflowEnv;
let operator: ReturnType<FastflowEnv['startOperator']>;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('on-failure'));
  operator = env.startOperator('operator-a');
  env.startWorker('worker');
  // The examples of docs/control-flow.md, as written there.
  await env.createDag('nightly-report', docDag('control-flow.md', 'nightly-report'));
  await env.createDag('page-oncall', docDag('control-flow.md', 'page-oncall'));
});
afterAll(async () => env.stop());

describe('onFailure', () => {
  it("runs its Dag once with the failed instance's details, recorded with an Event", async () => {
    await env.createInstance('report-1', 'nightly-report', { team: 'payments' });
    const failed = await env.waitForInstance(
      'report-1',
      (i) => i.status?.onFailureInstance !== undefined,
    );
    expect(failed.status?.phase).toBe('Failed');
    expect(failed.status?.onFailureInstance).toBe('report-1-on-failure');
    const run = await env.finished('report-1-on-failure');
    expect(run.status?.phase).toBe('Succeeded');
    expect(run.spec.dagRef.name).toBe('page-oncall');
    expect(run.spec.vars).toMatchObject({
      failedInstance: 'report-1',
      failedTasks: 'extract',
      team: 'payments',
    });
    expect(run.spec.vars?.['reason']).toBe(failed.status?.message);
    expect(run.status?.tasks?.['page']?.output).toMatchObject({
      result: { paged: 'payments', about: 'report-1', tasks: 'extract' },
    });
    expect(run.metadata.labels?.['fastflow.io/failed-instance']).toBe('report-1');
    expect(run.metadata['ownerReferences']).toBeUndefined();
    const event = await eventAbout(env.namespace, 'report-1', 'OnFailureStarted');
    expect(event.note).toBe('started onFailure instance report-1-on-failure');
  });

  it('a restart after the failure starts no second run; a run that succeeds starts none', async () => {
    await env.createInstance('report-2', 'nightly-report');
    await env.waitForInstance('report-2', (i) => i.status?.onFailureInstance !== undefined);
    operator.kill('SIGKILL');
    operator = env.startOperator('operator-b');
    await env.createInstance('report-3', 'page-oncall', {
      failedInstance: 'x',
      reason: 'y',
      failedTasks: '',
    });
    // The new operator has run a pass over everything once report-3 is done.
    await env.finished('report-3');
    await env.kubectl([
      'annotate',
      '-n',
      env.namespace,
      'dagi',
      'report-2',
      'fastflow.io/cancel=1',
    ]);
    const names = await env.instanceNames();
    expect(names.filter((n) => n.startsWith('report-2'))).toEqual([
      'report-2',
      'report-2-on-failure',
    ]);
    expect(names).not.toContain('report-3-on-failure');
  });
});
