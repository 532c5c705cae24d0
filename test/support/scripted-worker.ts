/**
 * A worker a test plays by hand against a real operator: its heartbeat Lease
 * (kept alive until `die`) and its report writer, so the test decides when
 * each result reaches the API server.
 */
import { CustomObjectsApi, type V1Lease } from '@kubernetes/client-node';
import { ReportWriter } from '../../actions-runtime/worker/report-writer.ts';
import {
  ACTIONS_ANNOTATION,
  CAPACITY_ANNOTATION,
  WORKER_LEASE_LABEL,
} from '../../operator/api/names.ts';
import { microTime, toMicroTime } from '../../operator/kube/time.ts';
import { silentLogger } from '../../operator/log.ts';
import { testKubeConfig } from './cluster.ts';
import type { FastflowEnv } from './fastflow-env.ts';

export interface ScriptedWorker {
  writer: ReportWriter;
  /** Stops renewing the Lease: the operator finds the worker lost one duration later. */
  die: () => void;
  /** Stops renewing and writing, for the test's afterAll. */
  stop: () => void;
}

export async function scriptedWorker(
  env: FastflowEnv,
  name: string,
  actions: readonly string[] = ['print'],
): Promise<ScriptedWorker> {
  const lease = (): V1Lease => ({
    metadata: {
      name,
      labels: { [WORKER_LEASE_LABEL]: '' },
      annotations: { [ACTIONS_ANNOTATION]: JSON.stringify(actions), [CAPACITY_ANNOTATION]: '4' },
    },
    spec: { holderIdentity: name, leaseDurationSeconds: 2, renewTime: toMicroTime(new Date()) },
  });
  const namespace = env.namespace;
  await env.coordination.createNamespacedLease({ namespace, body: lease() });
  const renew = (): void =>
    void env.coordination
      .patchNamespacedLease({
        namespace,
        name,
        body: [{ op: 'replace', path: '/spec/renewTime', value: microTime(new Date()) }],
      })
      .catch(() => undefined);
  const timer = setInterval(renew, 300);
  const writer = new ReportWriter(
    testKubeConfig().makeApiClient(CustomObjectsApi),
    name,
    silentLogger(),
  );
  return {
    writer,
    die: () => clearInterval(timer),
    stop: () => {
      clearInterval(timer);
      writer.stop();
    },
  };
}
