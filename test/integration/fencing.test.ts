import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ReportWriter } from '../../actions-runtime/worker/report-writer.ts';
import { DagInstance } from '../../operator/api/objects.ts';
import { mergePatchOptions } from '../../operator/kube/patch.ts';
import { silentLogger } from '../../operator/log.ts';
import { instanceResource } from '../../operator/api/names.ts';
import { createTestNamespace, deleteTestNamespace, testKubeConfig } from '../support/cluster.ts';

// No operator runs here: the test plays the operator by writing the status
// itself, so that it can put a task on attempt 2 and replay attempt 1's write.
let namespace: string;
const custom = (): CustomObjectsApi => testKubeConfig().makeApiClient(CustomObjectsApi);

beforeAll(async () => {
  namespace = await createTestNamespace('fencing');
  await custom().createNamespacedCustomObject({
    ...instanceResource,
    namespace,
    body: {
      apiVersion: 'fastflow.io/v1alpha1',
      kind: 'DagInstance',
      metadata: { name: 'run' },
      spec: { dagRef: { name: 'any' } },
    },
  });
  const at = new Date().toISOString();
  await custom().patchNamespacedCustomObjectStatus(
    {
      ...instanceResource,
      namespace,
      name: 'run',
      body: {
        status: {
          phase: 'Running',
          tasks: {
            a: { phase: 'Scheduled', worker: 'w2', attempt: 2, scheduledAt: at },
            b: { phase: 'Scheduled', worker: 'w1', attempt: 1, scheduledAt: at },
          },
        },
      },
    },
    mergePatchOptions,
  );
});
afterAll(async () => deleteTestNamespace(namespace));

it('§13.12 §13.13 refuses the late write of an attempt that was given to another worker, and keeps the others', async () => {
  const writer = new ReportWriter(custom(), silentLogger());
  const ref = { namespace, name: 'run' };
  const finishedAt = new Date().toISOString();
  const [zombie, current, other] = await Promise.all([
    // w1 was presumed dead during attempt 1 of `a`; its result arrives late.
    writer.report(ref, {
      task: 'a',
      worker: 'w1',
      attempt: 1,
      event: 'AttemptSucceeded',
      set: { finishedAt },
    }),
    writer.report(ref, {
      task: 'a',
      worker: 'w2',
      attempt: 2,
      event: 'AttemptStarted',
      set: { startedAt: finishedAt },
    }),
    writer.report(ref, {
      task: 'b',
      worker: 'w1',
      attempt: 1,
      event: 'AttemptFailed',
      set: { finishedAt, message: 'boom' },
    }),
  ]);
  expect([zombie, current, other]).toEqual([false, true, true]);

  const after = DagInstance.parse(
    await custom().getNamespacedCustomObject({ ...instanceResource, namespace, name: 'run' }),
  );
  expect(after.status?.tasks?.['a']).toMatchObject({ phase: 'Running', worker: 'w2', attempt: 2 });
  expect(after.status?.tasks?.['b']).toMatchObject({ phase: 'Failed', message: 'boom' });
});
