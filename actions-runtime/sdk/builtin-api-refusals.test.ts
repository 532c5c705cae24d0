import { ApiException, type CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubeClients } from '../../operator/kube/client.ts';
import { attemptOf } from '../../test/support/builtin-actions.ts';
import { containerAction } from './container-action.ts';
import { httpAction } from './http-action.ts';

// What the API server answers a worker the chart did not grant (403), or
// about a Secret that is not there (404), as client-node throws it.
const refusal = (code: number, message: string): ApiException<string> =>
  new ApiException(code, message, JSON.stringify({ kind: 'Status', code, message }), {});
const rejects = (e: Error) => (): Promise<never> => Promise.reject(e);

describe('API refusals fail built-in actions at once, saying what to change', () => {
  it('http: a Secret the worker may not read, or that is not there', async () => {
    const forbidden = `secrets "api" is forbidden: User "w" cannot get resource "secrets"`;
    const params = {
      url: 'http://127.0.0.1:9/',
      auth: { scheme: 'Bearer', secretRef: { name: 'api', key: 'token' } },
    };
    const denied = httpAction({
      readNamespacedSecret: rejects(refusal(403, forbidden)),
    } as unknown as CoreV1Api);
    expect((await attemptOf(denied, params)).outcome).toMatchObject({
      reason: 'NonRetryable',
      message: `the worker may not read Secret ns/api (the chart grants it with rbac.workerSecrets): ${forbidden}`,
    });
    const absent = httpAction({
      readNamespacedSecret: rejects(refusal(404, 'secrets "api" not found')),
    } as unknown as CoreV1Api);
    expect((await attemptOf(absent, params)).outcome).toMatchObject({
      reason: 'NonRetryable',
      message: 'Secret ns/api not found',
    });
  });

  it('container: Jobs the worker may not create', async () => {
    const forbidden = `jobs.batch is forbidden: User "w" cannot list resource "jobs"`;
    const clients = {
      batch: { listNamespacedJob: rejects(refusal(403, forbidden)) },
    } as unknown as KubeClients;
    const { outcome } = await attemptOf(containerAction(clients), { image: 'busybox' });
    expect(outcome).toMatchObject({
      reason: 'NonRetryable',
      message: `the worker may not create or read Jobs (the chart grants it with rbac.workerJobs): ${forbidden}`,
    });
  });
});
