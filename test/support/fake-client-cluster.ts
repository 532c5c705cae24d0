// A FastflowClient over just enough of CustomObjectsApi (Dags and DagInstances
// in a map), for the client's unit tests.
import { ApiException, KubeConfig, type CustomObjectsApi } from '@kubernetes/client-node';
import { expect } from 'vitest';
import type { DagInstance } from '../../operator/api/objects.ts';
import type { KubeClients } from '../../operator/kube/client.ts';
import { FastflowClient, FastflowClientError } from '../../actions-runtime/client/client.ts';

type Call = { verb: string; args: Record<string, unknown> };

function apiError(code: number, reason: string, message = reason): ApiException<string> {
  return new ApiException(code, 'fake', JSON.stringify({ code, reason, message }), {});
}

/** Just enough of CustomObjectsApi: Dags and DagInstances in a map. */
export function fakeCluster(objects: Record<string, Record<string, unknown>> = {}) {
  const calls: Call[] = [];
  const key = (a: Record<string, unknown>) =>
    `${String(a['plural'])}/${String(a['namespace'])}/${String(a['name'])}`;
  let rv = 1;
  const custom = {
    getNamespacedCustomObject: (args: Record<string, unknown>) => {
      calls.push({ verb: 'get', args });
      const o = objects[key(args)];
      if (!o) return Promise.reject(apiError(404, 'NotFound'));
      return Promise.resolve(structuredClone(o));
    },
    createNamespacedCustomObject: (args: Record<string, unknown>) => {
      calls.push({ verb: 'create', args });
      const body = args['body'] as { metadata: Record<string, unknown> };
      const name =
        (body.metadata['name'] as string | undefined) ??
        `${String(body.metadata['generateName'])}x7k2p`;
      if (objects[key({ ...args, name })]) return Promise.reject(apiError(409, 'AlreadyExists'));
      const stored = {
        ...body,
        metadata: { ...body.metadata, name, resourceVersion: String(++rv) },
      };
      objects[key({ ...args, name })] = stored;
      return Promise.resolve(stored);
    },
    patchNamespacedCustomObject: (args: Record<string, unknown>) => {
      calls.push({ verb: 'patch', args });
      const o = objects[key(args)];
      if (!o) return Promise.reject(apiError(404, 'NotFound'));
      return Promise.resolve(o);
    },
  };
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u', namespace: 'team-a' }],
    currentContext: 'ctx',
  });
  const clients = { kc, custom: custom as unknown as CustomObjectsApi } as KubeClients;
  return { client: new FastflowClient(clients), calls, objects };
}

export function instance(status?: DagInstance['status'], name = 'run-1'): DagInstance {
  return {
    apiVersion: 'fastflow.io/v1alpha1',
    kind: 'DagInstance',
    metadata: { name, namespace: 'team-a', resourceVersion: '7' },
    spec: { dagRef: { name: 'deploy' } },
    ...(status ? { status } : {}),
  };
}

export async function rejection(p: Promise<unknown>): Promise<FastflowClientError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(FastflowClientError);
  return e as FastflowClientError;
}
