import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastflowClient } from '../../actions-runtime/index.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

const dataActions = fileURLToPath(new URL('../support/actions/data.ts', import.meta.url));
let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('outputs-ref'));
  env.startOperator('operator-a');
  // Outputs up to 128 KiB (the most the setting allows); 1 KiB stays inline (the default).
  env.startWorker('worker', {
    actions: [dataActions],
    env: { FASTFLOW_MAX_OUTPUT_BYTES: String(128 * 1024) },
  });
});
afterAll(async () => env.stop());

describe('outputs beyond the inline bound', () => {
  it('are read by a downstream template, while the instance status stays small', async () => {
    await env.createDag('big-outputs', {
      tasks: [
        { id: 'small', actionName: 'blob', params: { bytes: 10, marker: 'm0' } },
        { id: 'big8', actionName: 'blob', params: { bytes: 8000, marker: 'm8' } },
        { id: 'big100', actionName: 'blob', params: { bytes: 100_000, marker: 'm100' } },
        {
          id: 'reader',
          actionName: 'echo',
          dependOn: ['small', 'big8', 'big100'],
          params: {
            small: '{{tasks.small.output.marker}}',
            a: '{{tasks.big8.output.marker}}',
            b: '{{tasks.big100.output.marker}}',
            size: '{{tasks.big100.output.size}}',
          },
        },
        // Rendered params of 8 KiB: recorded in the data object, as the echoed output is.
        {
          id: 'copy',
          actionName: 'echo',
          dependOn: ['big8'],
          params: { all: '{{tasks.big8.output}}' },
        },
      ],
    });
    await env.createInstance('big-1', 'big-outputs');
    const done = await env.finished('big-1');
    expect(done.status?.phase).toBe('Succeeded');
    const tasks = done.status?.tasks ?? {};
    expect(tasks['reader']?.output).toEqual({ small: 'm0', a: 'm8', b: 'm100', size: 100_000 });
    expect(tasks['small']?.output).toMatchObject({ marker: 'm0' });
    for (const id of ['big8', 'big100', 'copy']) {
      expect(tasks[id]?.output, id).toBeUndefined();
      expect(tasks[id]?.outputRef, id).toMatch(/^big-1-d[0-9a-f]{8}-1$/);
    }
    expect(tasks['copy']?.paramsRef).toBe(tasks['copy']?.outputRef);
    // Three outputs of 8-100 KiB, yet the whole object stays a few KiB.
    expect(JSON.stringify(done).length).toBeLessThan(16 * 1024);

    // The data objects: immutable, owned by the instance, labelled for it.
    const core = testKubeConfig().makeApiClient(CoreV1Api);
    const cm = await core.readNamespacedConfigMap({
      namespace: env.namespace,
      name: tasks['big100']?.outputRef ?? '',
    });
    expect(cm.immutable).toBe(true);
    expect(cm.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'DagInstance',
      name: 'big-1',
      uid: done.metadata.uid,
    });
    expect(cm.metadata?.labels).toMatchObject({
      'fastflow.io/instance': 'big-1',
      'fastflow.io/task': 'big100',
      'fastflow.io/kind': 'data',
    });

    // The SDK client shows every output where an inline one would be.
    const client = new FastflowClient(testKubeConfig(), { namespace: env.namespace });
    const whole = await client.get('big-1');
    expect(whole.status?.tasks?.['big100']?.output).toMatchObject({
      marker: 'm100',
      size: 100_000,
    });
    expect(whole.status?.tasks?.['copy']?.params).toMatchObject({ all: { marker: 'm8' } });
    expect(whole.status?.tasks?.['small']?.output).toMatchObject({ marker: 'm0' });
  });

  it('fails a task whose output is above maxOutputBytes, saying so', async () => {
    await env.createDag('too-big', {
      tasks: [{ id: 'huge', actionName: 'blob', params: { bytes: 200_000, marker: 'x' } }],
    });
    await env.createInstance('too-big-1', 'too-big');
    const done = await env.finished('too-big-1');
    expect(done.status?.tasks?.['huge']).toMatchObject({
      phase: 'Failed',
      reason: 'OutputTooLarge',
    });
    expect(done.status?.tasks?.['huge']?.message).toContain('the limit is 131072');
    expect(done.status?.tasks?.['huge']?.outputRef).toBeUndefined();
  });

  it('system tasks read an upstream output stored by reference (above the inline bound)', async () => {
    await env.createDag('big-route', {
      vars: { env: { defaultValue: 'dev' } },
      tasks: [
        { id: 'big', actionName: 'blob', params: { bytes: 3000, marker: 'prod' } },
        {
          id: 'route',
          type: 'switch',
          dependOn: ['big'],
          switch: { expression: 'tasks.big.output.marker', cases: { prod: ['ship'] } },
        },
        { id: 'ship', actionName: 'echo', dependOn: ['route'] },
        {
          id: 'set',
          type: 'setVars',
          dependOn: ['big'],
          setVars: { env: '{{tasks.big.output.marker}}' },
        },
      ],
    });
    await env.createInstance('big-route-1', 'big-route');
    const done = await env.finished('big-route-1');
    expect(done.status?.tasks?.['big']?.outputRef).toBeTruthy();
    expect(done.status?.tasks?.['route']?.output).toMatchObject({ selectedCase: 'prod' });
    expect(done.status?.tasks?.['ship']?.phase).toBe('Succeeded');
    expect(done.status?.vars).toEqual({ env: 'prod' });
    expect(done.status?.phase).toBe('Succeeded');
  });

  it("a loop's while and a subDag's vars read outputs stored by reference", async () => {
    await env.createDag('echo-m', {
      vars: { m: {} },
      tasks: [{ id: 'say', actionName: 'echo', params: { m: '{{m}}' } }],
    });
    await env.createDag('big-loop', {
      tasks: [
        { id: 'big', actionName: 'blob', params: { bytes: 3000, marker: 'prod' } },
        {
          id: 'poll',
          type: 'loop',
          dependOn: ['big'],
          loop: {
            body: ['probe'],
            while: 'tasks.big.output.marker == "prod" && tasks.probe.output.marker != "stop"',
            maxIterations: 3,
          },
        },
        { id: 'probe', actionName: 'blob', params: { bytes: 3000, marker: 'stop' } },
        {
          id: 'child',
          type: 'subDag',
          dependOn: ['big'],
          subDag: { dagName: 'echo-m', vars: { m: '{{tasks.big.output.marker}}' } },
        },
      ],
    });
    await env.createInstance('big-loop-1', 'big-loop');
    const done = await env.finished('big-loop-1');
    expect(done.status?.tasks?.['probe#1']?.outputRef).toBeTruthy();
    expect(done.status?.tasks?.['poll']).toMatchObject({ phase: 'Succeeded', iteration: 1 });
    expect(done.status?.tasks?.['child']?.params).toEqual({ vars: { m: 'prod' } });
    expect(done.status?.phase).toBe('Succeeded');
  });
});
