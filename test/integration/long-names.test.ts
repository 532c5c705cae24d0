// Names at Kubernetes' 253-character limit: labels hold at most 63, so the
// ConfigMaps and snapshots of a long-named instance or Dag carry a hashed
// label and the full name in an annotation, and every reader still finds them.
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShareDataStore } from '../../operator/store/share-data.ts';
import { TraceStore } from '../../operator/store/traces.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { plugin } from '../support/plugin-cli.ts';

const dataActions = fileURLToPath(new URL('../support/actions/data.ts', import.meta.url));
const core = testKubeConfig().makeApiClient(CoreV1Api);
let env: FastflowEnv;

/** A 253-character name; two of them differ only in their last character. */
const longName = (last: string): string => `run-${'x'.repeat(248)}${last}`;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('long-names'));
  env.startOperator('operator-a');
  env.startWorker('worker', { actions: [dataActions] });
});
afterAll(async () => env.stop());

describe('instances and Dags with 253-character names', () => {
  it('keeps traces and share data of each long-named instance apart and readable', async () => {
    const dag = 'flow';
    await env.createDag(dag, {
      tasks: [
        { id: 'a', actionName: 'emit' },
        {
          id: 'b',
          actionName: 'echo',
          dependOn: ['a'],
          params: { region: '{{.shareData.region}}' },
        },
      ],
    });
    const [one, two] = [longName('1'), longName('2')];
    expect(one).toHaveLength(253);
    await env.createInstance(one, dag);
    await env.createInstance(two, dag);
    for (const name of [one, two]) {
      const done = await env.finished(name);
      expect(done.status?.phase).toBe('Succeeded');
      // Share data written by `a` and read back by `b`'s template.
      expect(done.status?.tasks?.['b']?.output).toEqual({ region: 'eu-west' });
      const ref = { namespace: env.namespace, name };
      expect(await new ShareDataStore(core).read(ref)).toEqual({ region: 'eu-west' });
      const traces = await new TraceStore(core).read(ref);
      expect(traces.map((t) => [t.task, t.attempt, t.lines.length])).toEqual([['a', 1, 2]]);
      expect(await new TraceStore(core).read(ref, 'a')).toHaveLength(1);
    }

    const logs = await plugin(['logs', one, 'a', '-n', env.namespace]);
    expect(logs.stderr).toBe('');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('emitting');
    expect(logs.stdout.match(/=== task a/g)).toHaveLength(1);
  });

  it('runs an instance of a Dag with a 253-character name (its snapshot is labelled)', async () => {
    const dag = `dag-${'d'.repeat(249)}`;
    await env.createDag(dag, { tasks: [{ id: 'a', actionName: 'echo' }] });
    await env.createInstance('short-run', dag);
    expect((await env.finished('short-run')).status?.phase).toBe('Succeeded');
  });
});
