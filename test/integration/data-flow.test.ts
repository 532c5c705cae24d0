import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceStore } from '../../operator/store/traces.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

const dataActions = fileURLToPath(new URL('../support/actions/data.ts', import.meta.url));
let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('data-flow'));
  env.startOperator('operator-a');
  env.startWorker('worker', { actions: [dataActions] });
});
afterAll(async () => env.stop());

describe('outputs, share data, templates and traces', () => {
  it('passes outputs, share data and vars to a downstream task through templates', async () => {
    await env.createDag('flow', {
      vars: { fileName: { desc: 'a file', defaultValue: 'a.txt' } },
      tasks: [
        { id: 'a', actionName: 'emit' },
        {
          id: 'b',
          actionName: 'echo',
          dependOn: ['a'],
          params: {
            ip: '{{tasks.a.output.ip}}',
            port: '{{ tasks.a.output.ports.0 }}',
            url: 'https://{{tasks.a.output.ip}}:{{tasks.a.output.ports.1}}/',
            ready: '{{tasks.a.output.ready}}',
            region: '{{.shareData.region}}',
            file: '{{.vars.fileName.Value}}',
            name: '{{fileName}}',
            literal: 'no template',
          },
        },
      ],
    });
    await env.createInstance('flow-1', 'flow', { fileName: 'b.txt' });
    const done = await env.finished('flow-1');
    expect(done.status?.phase).toBe('Succeeded');
    const expected = {
      ip: '10.1.2.3',
      port: 8080,
      url: 'https://10.1.2.3:8443/',
      ready: true,
      region: 'eu-west',
      file: 'b.txt',
      name: 'b.txt',
      literal: 'no template',
    };
    expect(done.status?.tasks?.['a']?.output).toEqual({
      ip: '10.1.2.3',
      ports: [8080, 8443],
      ready: true,
    });
    expect(done.status?.tasks?.['b']?.output).toEqual(expected);
    // Rendered params are recorded with the attempt.
    expect(done.status?.tasks?.['b']?.params).toEqual(expected);

    const traces = await new TraceStore(testKubeConfig().makeApiClient(CoreV1Api)).read(
      { namespace: env.namespace, name: 'flow-1' },
      'a',
    );
    expect(traces).toHaveLength(1);
    expect(traces[0]?.lines.map((l) => l.replace(/^\S+ /, ''))).toEqual([
      'emitting',
      'region saved; previous run: none',
    ]);
    const shown = await env.kubectl([
      'get',
      'configmap',
      '-l',
      'fastflow.io/instance=flow-1,fastflow.io/task=a',
    ]);
    expect(shown.stdout).toContain('flow-1-t');
  });

  it('fails a task whose template cannot be resolved at run time, naming the reference', async () => {
    await env.createDag('no-share', {
      tasks: [{ id: 'a', actionName: 'echo', params: { ip: '{{.shareData.ip}}' } }],
    });
    await env.createInstance('no-share-1', 'no-share');
    const done = await env.finished('no-share-1');
    expect(done.status?.tasks?.['a']).toMatchObject({ phase: 'Failed', reason: 'InvalidParams' });
    expect(done.status?.tasks?.['a']?.message).toContain('{{.shareData.ip}}');
    expect(done.status?.tasks?.['a']?.message).toContain('"ip"');
  });

  it('reports template references that cannot work when the Dag is applied', async () => {
    await env.createDag('bad-refs', {
      vars: { known: { defaultValue: 'x' } },
      tasks: [
        { id: 'a', actionName: 'echo', params: { v: '{{unknownVar}}' } },
        { id: 'b', actionName: 'echo', params: { v: '{{tasks.c.output}}' } },
        { id: 'c', actionName: 'echo', params: { v: '{{ .vars.known.Value' } },
      ],
    });
    const status = await env.dagStatus('bad-refs');
    expect(status['valid']).toBe(false);
    const message = String(status['message']);
    expect(message).toContain('spec.tasks[0].params.v');
    expect(message).toContain('unknownVar');
    expect(message).toContain('spec.tasks[1].params.v');
    expect(message).toContain('spec.tasks[2].params.v');
  });

  it('runs the built-in wait action (fastflow ff-waiting syntax): it waits its waitingTime', async () => {
    await env.createDag('waits', {
      tasks: [
        { id: 'w', actionName: 'wait', params: { waitingTime: '300ms' }, timeoutSecs: 60 },
        {
          id: 'ff',
          actionName: 'ff-waiting',
          dependOn: ['w'],
          params: { waitingTime: '1h' },
          timeoutSecs: 1,
        },
      ],
    });
    await env.createInstance('waits-1', 'waits');
    const done = await env.finished('waits-1');
    // A short wait ends by itself; an hour's wait is still waiting when the
    // task's one-second time limit stops it.
    expect(done.status?.tasks?.['w']?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['ff']).toMatchObject({ phase: 'Failed', reason: 'TimedOut' });
  });
});
